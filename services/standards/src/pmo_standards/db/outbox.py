"""Standards' outbox: the one way its use cases and consumers write an event."""

from __future__ import annotations

from pmo_common.messaging.outbox import EventOutbox

from pmo_standards.config import StandardsSettings
from pmo_standards.db.tables import messaging

outbox = EventOutbox(service=StandardsSettings.service_name, tables=messaging)
