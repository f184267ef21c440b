"""An intervention closes on recovery with every action done (in either order), on the project's
closure or by the board; its lessons then become a searchable library entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import InterventionDesk

ReportBody = Callable[..., dict[str, Any]]
NEXT_WEEK = datetime.now(UTC).date() + timedelta(days=7)


async def recover(desk: InterventionDesk, case: dict[str, Any]) -> None:
    assert await desk.signal(case["project_id"], event_type="project.recovered") == ["applied"]


async def test_recovery_first_then_the_last_action_done_closes_it(
    interventions: InterventionDesk,
) -> None:
    case = await interventions.open_case()
    first = await interventions.add_action(case["id"], NEXT_WEEK)
    second = await interventions.add_action(case["id"], NEXT_WEEK)
    await interventions.finish(case["id"], first)
    await recover(interventions, case)
    assert (await interventions.case(case["id"]))["status"] == "open"
    assert (await interventions.finish(case["id"], second)).status_code == 200
    closed = await interventions.case(case["id"])
    assert (closed["status"], closed["close_reason"]) == ("closed", "recovered")
    assert closed["closed_at"] is not None
    (event,) = await interventions.outbox("intervention.closed")
    assert (event.data["close_reason"], event.data["lesson_practice_id"]) == ("recovered", None)


async def test_every_action_done_first_then_recovery_closes_it(
    interventions: InterventionDesk,
) -> None:
    case = await interventions.open_case()
    action = await interventions.add_action(case["id"], NEXT_WEEK)
    await interventions.finish(case["id"], action)
    assert (await interventions.case(case["id"]))["status"] == "open"  # still red
    await recover(interventions, case)
    assert (await interventions.case(case["id"]))["close_reason"] == "recovered"


async def test_red_again_before_the_last_action_undoes_the_recovery(
    interventions: InterventionDesk,
) -> None:
    case = await interventions.open_case(health_version=1)
    action = await interventions.add_action(case["id"], NEXT_WEEK)
    await interventions.signal(case["project_id"], event_type="project.recovered", health_version=2)
    await interventions.signal(case["project_id"], health_version=3)
    await interventions.finish(case["id"], action)
    assert (await interventions.case(case["id"]))["status"] == "open"


async def test_an_unversioned_red_keeps_the_version_so_a_stale_recovery_is_ignored(
    interventions: InterventionDesk,
) -> None:
    case = await interventions.open_case(health_version=5)
    assert await interventions.signal(case["project_id"], health_version=None) == ["applied"]
    await interventions.signal(case["project_id"], event_type="project.recovered", health_version=3)
    assert (await interventions.case(case["id"]))["status"] == "open"  # v3 is older than v5
    await interventions.signal(case["project_id"], event_type="project.recovered", health_version=6)
    assert (await interventions.case(case["id"]))["close_reason"] == "recovered"


async def test_the_projects_closure_closes_it_and_writes_then_answer_409(
    interventions: InterventionDesk, standards_closed_event: Any, report_body: ReportBody
) -> None:
    case = await interventions.open_case()
    action = await interventions.add_action(case["id"], NEXT_WEEK)
    await interventions.deliver(standards_closed_event(project_id=case["project_id"], version=2))
    closed = await interventions.case(case["id"])
    assert (closed["status"], closed["close_reason"]) == ("closed", "project_closed")
    writes = [
        await interventions.post(case["id"], "owner", {"owner": "c@pmo.example"}),
        await interventions.post(case["id"], "exception-report", report_body()),
        await interventions.post(
            case["id"], "actions", {"title": "t", "owner": "o@x.example", "due_date": "2030-01-01"}
        ),
        await interventions.finish(case["id"], action),
    ]
    assert [answer.status_code for answer in writes] == [409, 409, 409, 409]


async def test_premature_close_by_the_board_files_the_lesson(
    interventions: InterventionDesk, report_body: ReportBody
) -> None:
    case = await interventions.open_case(
        reasons=[{"code": "spi_below_threshold", "message": "SPI 0.7", "metric": "spi"}]
    )
    await interventions.post(case["id"], "exception-report", report_body(), interventions.manager)
    decided = await interventions.post(
        case["id"], "decision", {"outcome": "premature_close", "note": "No business case."}
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["close_reason"]) == (
        "closed",
        "premature_close",
    )
    (event,) = await interventions.outbox("intervention.closed")
    lesson_id = event.data["lesson_practice_id"]
    assert lesson_id is not None

    found = await interventions.client.get(
        "/v1/practices", params={"q": "ALBATROSS"}, headers=interventions.auth("viewer")
    )
    (lesson,) = found.json()["items"]
    assert lesson["id"] == lesson_id
    assert lesson["kind"] == "lesson"
    assert lesson["project_id"] == case["project_id"]
    assert lesson["methodology"] == "waterfall"
    assert lesson["reason_codes"] == ["spi_below_threshold"]
    assert lesson["tags"] == ["schedule"]
    assert lesson["title"] == "Lesson from Warehouse system: Integration costs overran"
    only_lessons = await interventions.client.get(
        "/v1/practices", params={"kind": "lesson"}, headers=interventions.admin
    )
    assert [item["id"] for item in only_lessons.json()["items"]] == [lesson_id]


async def test_a_report_without_lessons_leaves_nothing_in_the_library(
    interventions: InterventionDesk, report_body: ReportBody
) -> None:
    case = await interventions.open_case()
    await interventions.post(case["id"], "exception-report", report_body(lessons="  "))
    await recover(interventions, case)
    (event,) = await interventions.outbox("intervention.closed")
    assert event.data["lesson_practice_id"] is None
    library = await interventions.client.get("/v1/practices", headers=interventions.admin)
    assert library.json()["items"] == []


async def test_practices_written_by_the_pmo_are_of_kind_practice(
    interventions: InterventionDesk,
) -> None:
    added = await interventions.client.post(
        "/v1/practices", json={"title": "T", "body": "B"}, headers=interventions.admin
    )
    assert added.status_code == 201
    assert (added.json()["kind"], added.json()["project_id"], added.json()["reason_codes"]) == (
        "practice",
        None,
        [],
    )
