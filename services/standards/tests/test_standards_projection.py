"""The project projection built from intake's project.created/updated/closed events."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pmo_common.db.unit_of_work import unit_of_work
from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import ProjectUpdated
from pmo_common.messaging.consumed_events import Consumed
from pmo_common.web.runtime import ServiceRuntime
from pmo_standards.db.projection_repository import get_project
from pmo_standards.domain.projects import ProjectView
from pmo_standards.handlers.consumed_events import CONSUMED
from pmo_standards.handlers.project_events import on_project_snapshot

MakeEvent = Callable[..., CloudEvent]
Deliver = Callable[..., Awaitable[list[str]]]


@dataclass(frozen=True)
class Projection:
    """Intake's events as standards hears them, and what standards then keeps of a project."""

    runtime: ServiceRuntime
    snapshot: MakeEvent  # project.created, or project.updated with event_type= (see update)
    closure: MakeEvent
    deliver: Deliver

    def update(self, project_id: str, **fields: Any) -> CloudEvent:
        """A project.updated snapshot of the project (fields as keywords)."""
        return self.snapshot(project_id=project_id, event_type="project.updated", **fields)

    async def stored(self, project_id: str) -> ProjectView | None:
        async with self.runtime.sessions() as session:
            return await get_project(session, project_id=project_id)

    async def view(self, project_id: str) -> ProjectView:
        view = await self.stored(project_id)
        assert view is not None, f"standards keeps nothing of project {project_id}"
        return view


@pytest.fixture
def projection(
    standards_runtime: ServiceRuntime,
    standards_project_event: MakeEvent,
    standards_closed_event: MakeEvent,
    standards_deliver: Deliver,
) -> Projection:
    return Projection(
        standards_runtime, standards_project_event, standards_closed_event, standards_deliver
    )


def test_the_consumer_listens_to_intakes_projects_and_members_and_monitorings_risks() -> None:
    assert CONSUMED.event_types == [
        "intake.portfolio.member_added",
        "intake.portfolio.member_removed",
        "project.at_risk",
        "project.closed",
        "project.created",
        "project.recovered",
        "project.updated",
    ]


async def test_created_then_newer_update_then_stale_update_then_closed(
    projection: Projection,
) -> None:
    project_id = str(uuid.uuid4())
    created = projection.snapshot(project_id=project_id, version=1)
    assert await projection.deliver(created) == ["applied"]
    assert await projection.stored(project_id) == ProjectView(
        id=project_id,
        name="Warehouse system",
        manager="pm@corp.example",
        methodology="waterfall",
        status="active",
        version=1,
    )

    newer = projection.update(
        project_id,
        version=3,
        name="Warehouse system II",
        manager="new.pm@corp.example",
        methodology="scrum",
    )
    await projection.deliver(newer)
    view = await projection.view(project_id)
    assert (view.name, view.manager, view.methodology, view.version) == (
        "Warehouse system II",
        "new.pm@corp.example",
        "scrum",
        3,
    )

    late = projection.update(
        project_id, version=2, name="Late rename", manager="late.pm@corp.example"
    )
    assert await projection.deliver(late) == ["applied"]  # consumed, yet it changes nothing
    assert await projection.stored(project_id) == view

    await projection.deliver(projection.closure(project_id=project_id, version=4))
    view = await projection.view(project_id)
    assert view.closed and view.version == 4
    assert view.manager == "new.pm@corp.example"  # closing keeps what the snapshots said


async def test_a_redelivered_event_is_applied_once(projection: Projection) -> None:
    event = projection.snapshot()
    assert await projection.deliver(event, event) == ["applied", "duplicate"]
    await projection.view(event.data["project_id"])


async def test_an_update_heard_before_the_creation_creates_the_project(
    projection: Projection,
) -> None:
    project_id = str(uuid.uuid4())
    await projection.deliver(
        projection.update(project_id, version=2),
        projection.snapshot(project_id=project_id, version=1, name="Original name"),
    )
    view = await projection.view(project_id)
    assert view.version == 2 and view.name == "Warehouse system"


async def test_a_close_heard_first_is_kept_and_completed_by_the_late_snapshot(
    projection: Projection,
) -> None:
    project_id = str(uuid.uuid4())
    await projection.deliver(projection.closure(project_id=project_id, version=2))
    view = await projection.view(project_id)
    assert view.closed and view.manager is None

    await projection.deliver(projection.snapshot(project_id=project_id, version=1))
    view = await projection.view(project_id)
    assert view.closed and view.version == 2  # the older snapshot does not reopen it
    assert view.manager == "pm@corp.example" and view.methodology == "waterfall"


async def test_a_close_with_the_stored_version_still_closes(projection: Projection) -> None:
    project_id = str(uuid.uuid4())
    await projection.deliver(
        projection.snapshot(project_id=project_id, version=5),
        projection.closure(project_id=project_id, version=5),
    )
    assert (await projection.view(project_id)).closed


async def test_handler_called_directly_writes_through_the_given_session(
    projection: Projection,
) -> None:
    event = projection.snapshot(event_type="project.updated", version=7)
    parsed = CONSUMED.parse(event)
    assert isinstance(parsed.payload, ProjectUpdated)
    async with projection.runtime.sessions() as session, unit_of_work(session):
        await on_project_snapshot(session, Consumed(parsed.payload, event))
    assert (await projection.view(event.data["project_id"])).version == 7
