"""The project projection built from intake's project.created/updated/closed events."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from pmo_common.events.envelope import CloudEvent
from pmo_common.web.runtime import ServiceRuntime
from pmo_standards.db.project_repository import get_project
from pmo_standards.domain.projects import ProjectView
from pmo_standards.handlers.event_handlers import HANDLERS
from pmo_standards.handlers.project_events import on_project_updated

MakeEvent = Callable[..., CloudEvent]
Deliver = Callable[..., Awaitable[list[str]]]


async def stored(runtime: ServiceRuntime, project_id: str) -> ProjectView | None:
    async with runtime.sessions() as session:
        return await get_project(session, project_id=project_id)


def test_the_consumer_listens_to_the_three_project_events() -> None:
    assert set(HANDLERS) == {"project.created", "project.updated", "project.closed"}


async def test_created_then_newer_update_then_stale_update_then_closed(
    standards_runtime: ServiceRuntime,
    standards_project_event: MakeEvent,
    standards_closed_event: MakeEvent,
    standards_deliver: Deliver,
) -> None:
    project_id = str(uuid.uuid4())
    created = standards_project_event(project_id=project_id, version=1)
    assert await standards_deliver(created) == ["applied"]
    view = await stored(standards_runtime, project_id)
    assert view == ProjectView(
        id=project_id,
        name="Warehouse system",
        manager="pm@corp.example",
        methodology="waterfall",
        status="active",
        version=1,
    )

    newer = standards_project_event(
        project_id=project_id,
        version=3,
        name="Warehouse system II",
        manager="new.pm@corp.example",
        methodology="scrum",
        event_type="project.updated",
    )
    await standards_deliver(newer)
    view = await stored(standards_runtime, project_id)
    assert view is not None
    assert (view.name, view.manager, view.methodology, view.version) == (
        "Warehouse system II",
        "new.pm@corp.example",
        "scrum",
        3,
    )

    late = standards_project_event(
        project_id=project_id,
        version=2,
        name="Late rename",
        manager="late.pm@corp.example",
        event_type="project.updated",
    )
    assert await standards_deliver(late) == ["applied"]  # consumed, yet it changes nothing
    assert await stored(standards_runtime, project_id) == view

    closed = standards_closed_event(project_id=project_id, version=4)
    await standards_deliver(closed)
    view = await stored(standards_runtime, project_id)
    assert view is not None and view.closed and view.version == 4
    assert view.manager == "new.pm@corp.example"  # closing keeps what the snapshots said


async def test_a_redelivered_event_is_applied_once(
    standards_runtime: ServiceRuntime,
    standards_project_event: MakeEvent,
    standards_deliver: Deliver,
) -> None:
    event = standards_project_event()
    assert await standards_deliver(event, event) == ["applied", "duplicate"]
    assert await stored(standards_runtime, event.data["project_id"]) is not None


async def test_an_update_heard_before_the_creation_creates_the_project(
    standards_runtime: ServiceRuntime,
    standards_project_event: MakeEvent,
    standards_deliver: Deliver,
) -> None:
    project_id = str(uuid.uuid4())
    await standards_deliver(
        standards_project_event(project_id=project_id, version=2, event_type="project.updated"),
        standards_project_event(project_id=project_id, version=1, name="Original name"),
    )
    view = await stored(standards_runtime, project_id)
    assert view is not None and view.version == 2 and view.name == "Warehouse system"


async def test_a_close_heard_first_is_kept_and_completed_by_the_late_snapshot(
    standards_runtime: ServiceRuntime,
    standards_project_event: MakeEvent,
    standards_closed_event: MakeEvent,
    standards_deliver: Deliver,
) -> None:
    project_id = str(uuid.uuid4())
    await standards_deliver(standards_closed_event(project_id=project_id, version=2))
    view = await stored(standards_runtime, project_id)
    assert view is not None and view.closed and view.manager is None

    await standards_deliver(standards_project_event(project_id=project_id, version=1))
    view = await stored(standards_runtime, project_id)
    assert view is not None
    assert view.closed and view.version == 2  # the older snapshot does not reopen it
    assert view.manager == "pm@corp.example" and view.methodology == "waterfall"


async def test_a_close_with_the_stored_version_still_closes(
    standards_runtime: ServiceRuntime,
    standards_project_event: MakeEvent,
    standards_closed_event: MakeEvent,
    standards_deliver: Deliver,
) -> None:
    project_id = str(uuid.uuid4())
    await standards_deliver(
        standards_project_event(project_id=project_id, version=5),
        standards_closed_event(project_id=project_id, version=5),
    )
    view = await stored(standards_runtime, project_id)
    assert view is not None and view.closed


async def test_handler_called_directly_writes_through_the_given_session(
    standards_runtime: ServiceRuntime, standards_project_event: MakeEvent
) -> None:
    event = standards_project_event(event_type="project.updated", version=7)
    async with standards_runtime.sessions() as session, session.begin():
        await on_project_updated(session, event)
    view = await stored(standards_runtime, event.data["project_id"])
    assert view is not None and view.version == 7
