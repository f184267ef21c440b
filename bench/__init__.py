"""Benchmarks of the backend: they print figures and never assert (see bench/README.md)."""
