"""The HTTP side every service shares: app factory, probes, metrics, pagination."""
