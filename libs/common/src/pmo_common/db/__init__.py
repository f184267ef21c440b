"""Database engine, sessions and migrations for a service's own database."""
