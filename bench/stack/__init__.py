"""Stack benchmarks: the four services on real Kafka and PostgreSQL/SQLite (see bench/README.md)."""
