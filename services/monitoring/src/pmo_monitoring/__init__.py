"""PMO monitoring service."""
