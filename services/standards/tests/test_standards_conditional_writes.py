"""No lost updates in standards: an ETag on methodologies, interventions and recovery actions,
and If-Match honoured on every write to them (412 problem when stale; absent or `*`: allowed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
from pmo_stack.testkit.methodology_data import kanban

if TYPE_CHECKING:
    from conftest import InterventionDesk

MakeHeaders = Callable[..., dict[str, str]]
Problem = Callable[[httpx.Response, int], dict[str, Any]]
KANBAN = "/v1/methodologies/kanban"


def revision(**changes: Any) -> dict[str, Any]:
    """A PUT body for kanban (its key left out), changed by keywords."""
    body = kanban(**changes)
    del body["key"]
    return body


async def test_a_methodology_carries_an_etag_that_changes_with_it(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders
) -> None:
    admin = standards_auth("pmo_admin", email="admin@pmo.example")
    created = await standards_client.post("/v1/methodologies", json=kanban(), headers=admin)
    assert created.status_code == 201, created.text
    read = await standards_client.get(KANBAN, headers=standards_auth("viewer"))
    assert read.headers["etag"] == created.headers["etag"]
    assert read.headers["etag"].startswith('"')  # strong

    revised = await standards_client.put(
        KANBAN,
        json=revision(name="Kanban flow"),
        headers={**admin, "If-Match": read.headers["etag"]},
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["version"] == 2
    assert revised.headers["etag"] != read.headers["etag"]
    again = await standards_client.get(KANBAN, headers=admin)
    assert again.headers["etag"] == revised.headers["etag"]


async def test_a_stale_if_match_is_refused_and_changes_nothing(
    standards_client: httpx.AsyncClient, standards_auth: MakeHeaders, standards_problem: Problem
) -> None:
    admin = standards_auth("pmo_admin")
    stale = (await standards_client.post("/v1/methodologies", json=kanban(), headers=admin)).headers
    moved = await standards_client.put(KANBAN, json=revision(name="Kanban 2"), headers=admin)
    assert moved.status_code == 200  # no If-Match: unconditional

    for tag in (stale["etag"], f"W/{moved.headers['etag']}", '"nope"'):
        refused = await standards_client.put(
            KANBAN, json=revision(name="Kanban 3"), headers={**admin, "If-Match": tag}
        )
        problem = standards_problem(refused, 412)
        assert moved.headers["etag"] in problem["detail"]
    current = await standards_client.get(KANBAN, headers=admin)
    assert current.json()["name"] == "Kanban 2" and current.json()["version"] == 2
    assert current.headers["etag"] == moved.headers["etag"]

    # One listed tag that matches is enough; `*` matches whatever the methodology is now.
    for name, tag in (("Kanban A", f'"other", {current.headers["etag"]}'), ("Kanban B", "*")):
        accepted = await standards_client.put(
            KANBAN, json=revision(name=name), headers={**admin, "If-Match": tag}
        )
        assert accepted.status_code == 200, accepted.text


async def test_case_writes_honour_the_case_etag(
    interventions: InterventionDesk, standards_problem: Problem
) -> None:
    case = await interventions.open_case()
    read = await interventions.client.get(
        f"/v1/interventions/{case['id']}", headers=interventions.admin
    )
    tag = read.headers["etag"]
    owner = {"owner": "carla@pmo.example"}
    assigned = await interventions.post(
        case["id"], "owner", owner, {**interventions.admin, "If-Match": tag}
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.headers["etag"] != tag

    # The case moved on: every write on it holding the old tag is refused, and changes nothing.
    other = {"owner": "dora@pmo.example"}
    stale = {**interventions.admin, "If-Match": tag}
    standards_problem(await interventions.post(case["id"], "owner", other, stale), 412)
    decision = {"outcome": "exception_plan_required"}
    standards_problem(await interventions.post(case["id"], "decision", decision, stale), 412)
    action = {"title": "Re-plan", "owner": "o@corp.example", "due_date": "2030-01-01"}
    standards_problem(await interventions.post(case["id"], "actions", action, stale), 412)
    unchanged = await interventions.case(case["id"])
    assert unchanged["owner"] == "carla@pmo.example" and unchanged["actions"] == []
    assert len(await interventions.outbox("intervention.assigned")) == 1

    current = {**interventions.admin, "If-Match": assigned.headers["etag"]}
    added = await interventions.post(case["id"], "actions", action, current)
    assert added.status_code == 201, added.text
    wildcard = {**interventions.admin, "If-Match": "*"}
    assert (await interventions.post(case["id"], "owner", other, wildcard)).status_code == 200


async def test_marking_an_action_done_honours_the_action_etag(
    interventions: InterventionDesk, standards_problem: Problem
) -> None:
    case = await interventions.open_case()
    action = {"title": "Re-plan", "owner": "o@corp.example", "due_date": "2030-01-01"}
    added = await interventions.post(case["id"], "actions", action)
    path = f"/v1/interventions/{case['id']}/actions/{added.json()['id']}"
    done = {"status": "done"}

    refused = await interventions.client.patch(
        path, json=done, headers={**interventions.manager, "If-Match": '"stale"'}
    )
    standards_problem(refused, 412)
    (still_open,) = (await interventions.case(case["id"]))["actions"]
    assert still_open["status"] == "open"

    finished = await interventions.client.patch(
        path, json=done, headers={**interventions.manager, "If-Match": added.headers["etag"]}
    )
    assert finished.status_code == 200, finished.text
    assert finished.headers["etag"] != added.headers["etag"]
    # Done already: the tag it was done under no longer matches the action.
    late = await interventions.client.patch(
        path, json=done, headers={**interventions.manager, "If-Match": added.headers["etag"]}
    )
    standards_problem(late, 412)
