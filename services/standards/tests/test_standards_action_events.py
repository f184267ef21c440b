"""Recovery actions are announced as they happen: intervention.action_added once per added action
(a retried POST adds nothing), intervention.action_done once per action finished (a repeated
PATCH changes nothing), each telling who and what the case is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import InterventionDesk

DUE = datetime.now(UTC).date() + timedelta(days=5)
CONSULTANT = "carla@pmo.example"


async def owned_case(desk: InterventionDesk) -> dict[str, Any]:
    """An open case (see `InterventionDesk.open_case`) a PMO consultant has taken."""
    case = await desk.open_case()
    owned = await desk.post(case["id"], "owner", {"owner": CONSULTANT})
    assert owned.status_code == 200, owned.text
    return case


def case_facts(case: dict[str, Any]) -> dict[str, Any]:
    """What every intervention event says of the case: what project.at_risk told of the project
    (the conftest's health event) and who owns the case."""
    return {
        "intervention_id": case["id"],
        "project_id": case["project_id"],
        "project_name": "Warehouse system",
        "manager": "pm@corp.example",
        "sponsor": "sponsor@corp.example",
        "portfolio_id": "portfolio-1",
        "owner": CONSULTANT,
    }


async def test_an_added_action_is_announced_once_even_when_the_post_is_retried(
    interventions: InterventionDesk,
) -> None:
    case = await owned_case(interventions)
    body = {"title": "Re-plan", "owner": "owner@corp.example", "due_date": DUE.isoformat()}
    headers = {**interventions.manager, "Idempotency-Key": "add-re-plan"}
    first = await interventions.post(case["id"], "actions", body, headers)
    retry = await interventions.post(case["id"], "actions", body, headers)
    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.headers.get("idempotent-replayed") == "true"

    (event,) = await interventions.outbox("intervention.action_added")
    assert event.subject == case["project_id"]
    assert event.data == {
        **case_facts(case),
        "action_id": first.json()["id"],
        "title": "Re-plan",
        "action_owner": "owner@corp.example",
        "due_date": DUE.isoformat(),
    }


async def test_a_done_action_is_announced_once_and_not_on_a_repeated_patch(
    interventions: InterventionDesk,
) -> None:
    case = await owned_case(interventions)
    action_id = await interventions.add_action(case["id"], DUE)
    done = await interventions.finish(case["id"], action_id)
    again = await interventions.finish(case["id"], action_id)
    assert done.status_code == again.status_code == 200, again.text
    assert again.json() == done.json()

    (event,) = await interventions.outbox("intervention.action_done")
    assert event.subject == case["project_id"]
    done_at = event.data.pop("done_at")
    assert datetime.fromisoformat(done_at) == datetime.fromisoformat(done.json()["done_at"])
    assert event.data == {**case_facts(case), "action_id": action_id}


async def test_the_last_action_done_of_a_recovered_case_is_announced_before_the_closure(
    interventions: InterventionDesk,
) -> None:
    case = await interventions.open_case()
    action_id = await interventions.add_action(case["id"], DUE)
    recovered = interventions.health(project_id=case["project_id"], event_type="project.recovered")
    assert await interventions.deliver(recovered) == ["applied"]
    assert (await interventions.finish(case["id"], action_id)).status_code == 200
    topics = [event.type for event in await interventions.outbox()]
    assert topics[-3:] == [
        "intervention.action_added",
        "intervention.action_done",
        "intervention.closed",
    ]
