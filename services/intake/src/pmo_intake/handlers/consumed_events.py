"""The one list of the events intake consumes."""

from __future__ import annotations

from pmo_common.events.catalog import METHODOLOGY_PUBLISHED
from pmo_common.messaging.consumed_events import ConsumedEvents

from pmo_intake.handlers.methodology_events import on_methodology_published

CONSUMED = ConsumedEvents().add(METHODOLOGY_PUBLISHED, on_methodology_published)
