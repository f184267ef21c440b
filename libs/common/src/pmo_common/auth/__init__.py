"""Authentication (JWT bearer tokens) and role-based authorisation."""
