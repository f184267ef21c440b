"""Reads of the delivery log the API needs (the repository's page read, as it is)."""

from __future__ import annotations

from pmo_notifications.db.delivery_repository import list_deliveries

__all__ = ["list_deliveries"]
