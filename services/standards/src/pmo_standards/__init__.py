"""PMO standards service."""
