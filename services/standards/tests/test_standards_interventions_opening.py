"""project.at_risk opens one intervention per red episode, with its reasons and suggestions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from conftest import InterventionDesk

SCHEDULE_AND_COST = [
    {"code": "spi_below_threshold", "message": "SPI 0.8", "metric": "spi", "value": 0.8},
    {"code": "eac_over_budget", "message": "EAC 120%", "metric": "eac", "threshold": 1.1},
]


async def add_practice(desk: InterventionDesk, title: str, tags: list[str]) -> str:
    answer = await desk.client.post(
        "/v1/practices", json={"title": title, "body": "How to.", "tags": tags}, headers=desk.admin
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_red_opens_one_intervention_and_announces_it(interventions: InterventionDesk) -> None:
    case = await interventions.open_case(reasons=SCHEDULE_AND_COST, health_version=3)
    assert case["reasons"] == [
        {"code": "spi_below_threshold", "message": "SPI 0.8", "metric": "spi", "value": 0.8,
         "threshold": None},
        {"code": "eac_over_budget", "message": "EAC 120%", "metric": "eac", "value": None,
         "threshold": 1.1},
    ]  # fmt: skip
    assert case["owner"] is None and case["closed_at"] is None and case["close_reason"] is None
    assert case["exception_report"] is None and case["decision"] is None
    assert case["actions"] == []
    (opened,) = await interventions.outbox("intervention.opened")
    assert opened.subject == case["project_id"]
    assert opened.data["intervention_id"] == case["id"]
    assert opened.data["manager"] == "pm@corp.example"
    assert opened.data["sponsor"] == "sponsor@corp.example"
    assert opened.data["portfolio_id"] == "portfolio-1"
    assert [r["code"] for r in opened.data["reasons"]] == ["spi_below_threshold", "eac_over_budget"]


async def test_amber_at_risk_opens_nothing(interventions: InterventionDesk) -> None:
    project_id = await interventions.hear_of()
    assert await interventions.signal(project_id, rag="amber") == ["applied"]
    assert await interventions.cases(project_id=project_id) == []
    assert await interventions.outbox("intervention.opened") == []


async def test_a_redelivered_or_repeated_at_risk_opens_no_second_case(
    interventions: InterventionDesk,
) -> None:
    project_id = await interventions.hear_of()
    first = interventions.health(project_id=project_id, health_version=1)
    assert await interventions.deliver(first, first) == ["applied", "duplicate"]
    again = [{"code": "milestone_overdue", "message": "late", "metric": "milestone_days_late"}]
    assert await interventions.signal(project_id, reasons=again, health_version=2) == ["applied"]
    (case,) = await interventions.cases(project_id=project_id)
    assert [reason["code"] for reason in case["reasons"]] == ["milestone_overdue"]
    assert len(await interventions.outbox("intervention.opened")) == 1


async def test_suggested_practices_are_the_best_matching_ones_first(
    interventions: InterventionDesk,
) -> None:
    both = await add_practice(interventions, "Re-baseline cost and time", ["Cost", "schedule"])
    older_cost = await add_practice(interventions, "Re-estimate", ["cost"])
    newer_cost = await add_practice(interventions, "Cut scope", ["cost", "agile"])
    await add_practice(interventions, "Retrospective", ["agile"])
    await add_practice(interventions, "Cost of quality", ["quality"])  # the word, not the tag
    case = await interventions.open_case(reasons=SCHEDULE_AND_COST)
    assert case["suggested_practices"] == [
        {"id": both, "title": "Re-baseline cost and time"},
        {"id": newer_cost, "title": "Cut scope"},
        {"id": older_cost, "title": "Re-estimate"},
    ]
    (opened,) = await interventions.outbox("intervention.opened")
    assert opened.data["suggested_practices"] == case["suggested_practices"]


async def test_suggestions_are_capped_at_five(interventions: InterventionDesk) -> None:
    for n in range(7):
        await add_practice(interventions, f"Cost practice {n}", ["cost"])
    case = await interventions.open_case()
    assert [ref["title"] for ref in case["suggested_practices"]] == [
        f"Cost practice {n}" for n in (6, 5, 4, 3, 2)
    ]


async def test_a_closed_project_entering_red_opens_nothing(
    interventions: InterventionDesk, standards_closed_event: Any
) -> None:
    project_id = await interventions.hear_of()
    await interventions.deliver(standards_closed_event(project_id=project_id, version=2))
    assert await interventions.signal(project_id) == ["applied"]
    assert await interventions.cases(project_id=project_id) == []


async def test_red_again_after_a_closed_case_opens_a_new_one_but_a_replay_does_not(
    interventions: InterventionDesk,
) -> None:
    case = await interventions.open_case(health_version=1)
    project_id = case["project_id"]
    await interventions.signal(project_id, event_type="project.recovered", health_version=2)
    assert (await interventions.case(case["id"]))["status"] == "closed"
    # A replayed old at_risk (a dead letter sent again) is older than the recovery.
    assert await interventions.signal(project_id, health_version=1) == ["applied"]
    assert len(await interventions.cases(project_id=project_id)) == 1
    assert await interventions.signal(project_id, health_version=3) == ["applied"]
    newest, closed = await interventions.cases(project_id=project_id)
    assert (newest["status"], closed["id"]) == ("open", case["id"])


async def test_the_list_filters_and_a_manager_sees_only_their_projects(
    interventions: InterventionDesk, standards_client: httpx.AsyncClient
) -> None:
    mine = await interventions.open_case()
    other_project = await interventions.hear_of(manager="other.pm@corp.example")
    await interventions.signal(other_project, manager="other.pm@corp.example")
    everything = await interventions.cases()
    assert {case["project_id"] for case in everything} == {mine["project_id"], other_project}
    assert [c["id"] for c in await interventions.cases(interventions.manager)] == [mine["id"]]
    assert await interventions.cases(status="closed") == []
    assert len(await interventions.cases(status="open", limit=1)) == 1
    viewer = interventions.auth("viewer")
    assert len(await interventions.cases(viewer)) == 2
    theirs = next(case for case in everything if case["id"] != mine["id"])
    other = await standards_client.get(
        f"/v1/interventions/{theirs['id']}", headers=interventions.manager
    )
    assert other.status_code == 403
    assert (await standards_client.get(f"/v1/interventions/{mine['id']}")).status_code == 401
    missing = await standards_client.get("/v1/interventions/nope", headers=viewer)
    assert missing.status_code == 404
    bad = await standards_client.get(
        "/v1/interventions", params={"status": "pending"}, headers=viewer
    )
    assert bad.status_code == 422
