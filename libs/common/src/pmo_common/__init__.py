"""Shared contracts and plumbing for the PMO services."""
