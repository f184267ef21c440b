"""Notifications' outbox: the one way its consumers, use cases and jobs write an event."""

from __future__ import annotations

from pmo_common.messaging.outbox import EventOutbox

from pmo_notifications.config import NotificationsSettings
from pmo_notifications.db.tables import messaging

outbox = EventOutbox(service=NotificationsSettings.service_name, tables=messaging)
