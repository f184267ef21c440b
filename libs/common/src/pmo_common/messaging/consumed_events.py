"""A service's consumed events: handlers registered on catalog entries, called with typed data.

    async def on_project_created(session: AsyncSession, event: Consumed[ProjectCreated]) -> None:
        ...  # event.payload is a ProjectCreated; event.envelope is the CloudEvent

    CONSUMED = ConsumedEvents().add(PROJECT_CREATED, on_project_created)

The registry parses `data` with the catalog's model once, so no handler re-validates it; data
that does not fit the model can never apply and is dead-lettered by the applier.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_common.events.catalog import EventSpec
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import EventPayload

P = TypeVar("P", bound=EventPayload)
P_co = TypeVar("P_co", bound=EventPayload, covariant=True)


class PermanentEventError(Exception):
    """The event can never be applied (malformed, violates a rule): dead-letter it at once."""


@dataclass(frozen=True, slots=True)
class Consumed(Generic[P_co]):
    """One consumed event: its typed payload and the envelope it came in."""

    payload: P_co
    envelope: CloudEvent

    @property
    def type(self) -> str:
        """The event type (the topic)."""
        return self.envelope.type

    @property
    def id(self) -> str:
        """The event id (what the applier records as processed)."""
        return self.envelope.id


Handler = Callable[[AsyncSession, Consumed[P]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Route:
    spec: EventSpec[Any]
    handler: Handler[Any]


class ConsumedEvents:
    """The map from catalog entry to handler; one handler per event type."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route] = {}

    def add(self, spec: EventSpec[P], handler: Handler[P]) -> ConsumedEvents:
        """Register `handler` for one event type; returns the registry, so calls chain."""
        if spec.type in self._routes:
            raise ValueError(f"{spec.type} already has a handler")
        self._routes[spec.type] = _Route(spec, handler)
        return self

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._routes

    def __bool__(self) -> bool:
        return bool(self._routes)

    @property
    def event_types(self) -> list[str]:
        """The event types that have a handler."""
        return sorted(self._routes)

    def parse(self, event: CloudEvent) -> Consumed[EventPayload]:
        """The event with its data parsed by the catalog's model (pydantic ValidationError)."""
        route = self._routes[event.type]
        return Consumed(route.spec.payload.model_validate(event.data), event)

    async def dispatch(self, session: AsyncSession, event: CloudEvent) -> None:
        """Parse the event and run its handler with `session` (the caller's unit of work)."""
        await self.run(session, self.parse(event))

    async def run(self, session: AsyncSession, event: Consumed[EventPayload]) -> None:
        """Run the handler of an event parsed by `parse` with `session` (the caller's unit of work).

        A batch parses its events before its transaction and runs them all on one session, so
        a handler must read what an earlier event of the batch wrote through that session.
        """
        await self._routes[event.type].handler(session, event)
