"""Intake's outbox: the one way its use cases write an event."""

from __future__ import annotations

from pmo_common.messaging.outbox import EventOutbox

from pmo_intake.config import IntakeSettings
from pmo_intake.db.tables import messaging

outbox = EventOutbox(service=IntakeSettings.service_name, tables=messaging)
