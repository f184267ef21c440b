"""PMO notifications service."""
