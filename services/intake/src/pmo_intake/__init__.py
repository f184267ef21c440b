"""PMO intake service."""
