"""Event contracts: the CloudEvents envelope and the typed payloads of the catalog."""
