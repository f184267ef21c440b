"""Reads of grouped deliveries the API needs: which group delivery took each grouped event."""

from __future__ import annotations

from pmo_notifications.db.delivery_group_repository import grouped_into

__all__ = ["grouped_into"]
