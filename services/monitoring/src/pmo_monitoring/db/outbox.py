"""Monitoring's outbox: the one way its routes, consumers and jobs write an event."""

from __future__ import annotations

from pmo_common.messaging.outbox import EventOutbox

from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db.tables import messaging

outbox = EventOutbox(service=MonitoringSettings.service_name, tables=messaging)
