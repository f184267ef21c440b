"""The routes of an intervention: owner, exception report, decision and recovery actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import InterventionDesk

ReportBody = Callable[..., dict[str, Any]]
TODAY = datetime.now(UTC).date()
ACTION = {"title": "Hire", "owner": "owner@corp.example", "due_date": "2030-01-01"}
CASES_PORTFOLIO = "portfolio-1"  # the portfolio project.at_risk names (conftest)


def option(key: str, **changes: Any) -> dict[str, Any]:
    body = {"key": key, "description": key, "cost_impact": 1.0, "schedule_impact_days": 1}
    return {**body, **changes}


async def test_the_pmo_or_a_portfolio_manager_takes_the_case(
    interventions: InterventionDesk,
) -> None:
    case = await interventions.open_case()
    body = {"owner": "carla@pmo.example"}
    for role in ("project_manager", "viewer"):
        refused = await interventions.post(case["id"], "owner", body, interventions.auth(role))
        assert refused.status_code == 403, role
    outsider = interventions.auth("portfolio_manager", email="pf@corp.example")
    refused = await interventions.post(case["id"], "owner", body, outsider)
    assert refused.status_code == 403, "not yet a member of the case's portfolio"
    portfolio_manager = await interventions.member(CASES_PORTFOLIO, "pf@corp.example")
    owned = await interventions.post(case["id"], "owner", body, portfolio_manager)
    assert owned.status_code == 200, owned.text
    assert owned.json()["owner"] == "carla@pmo.example"
    (assigned,) = await interventions.outbox("intervention.assigned")
    assert (assigned.data["owner"], assigned.data["assigned_by"]) == (
        "carla@pmo.example",
        "pf@corp.example",
    )
    assert [c["id"] for c in await interventions.cases(owner="carla@pmo.example")] == [case["id"]]
    invalid = await interventions.post(case["id"], "owner", {"owner": "not-an-address"})
    assert invalid.status_code == 422


async def test_the_manager_files_one_exception_report(
    interventions: InterventionDesk, report_body: ReportBody
) -> None:
    case = await interventions.open_case()
    filed = await interventions.post(
        case["id"], "exception-report", report_body(), interventions.manager
    )
    assert filed.status_code == 201, filed.text
    report = filed.json()["exception_report"]
    assert report["recommendation"] == "extend"
    assert [o["key"] for o in report["options"]] == ["descope", "extend"]
    assert report["reported_by"] == "pm@corp.example"
    (event,) = await interventions.outbox("project.exception_reported")
    assert event.data["recommendation"] == "extend" and len(event.data["options"]) == 2
    again = await interventions.post(case["id"], "exception-report", report_body(title="Again"))
    assert again.status_code == 409
    assert len(await interventions.outbox("project.exception_reported")) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recommendation": "pray"}, "body.recommendation"),
        ({"options": [option("only")], "recommendation": "only"}, "body.options"),
        ({"options": [option(str(n)) for n in range(6)], "recommendation": "1"}, "body.options"),
        ({"options": [option("a"), option("a")], "recommendation": "a"}, "body.options"),
        ({"title": ""}, "body.title"),
        ({"options": [option("a", cost_impact=10**30), option("b")]}, "body.options.0.cost_impact"),
        ({"options": [option("a"), option("b", cost_impact=-2e15)]}, "body.options.1.cost_impact"),
        (
            {"options": [option("a", schedule_impact_days=36_501), option("b")]},
            "body.options.0.schedule_impact_days",
        ),
        (
            {"options": [option("a"), option("b", schedule_impact_days=-(10**30))]},
            "body.options.1.schedule_impact_days",
        ),
        ({"options": [option("a", description="  "), option("b")]}, "body.options.0.description"),
        ({"budget": 5}, "body.budget"),
    ],
)
async def test_an_invalid_report_is_refused_naming_the_field(
    interventions: InterventionDesk,
    report_body: ReportBody,
    changes: dict[str, Any],
    field: str,
) -> None:
    case = await interventions.open_case()
    refused = await interventions.post(case["id"], "exception-report", report_body(**changes))
    assert refused.status_code == 422, refused.text
    assert field in [error["field"] for error in refused.json()["errors"]]
    assert (await interventions.case(case["id"]))["exception_report"] is None


async def test_only_the_projects_manager_or_a_pmo_admin_files_the_report(
    interventions: InterventionDesk, report_body: ReportBody
) -> None:
    case = await interventions.open_case()
    for headers in (
        interventions.auth("project_manager", email="other.pm@corp.example"),
        interventions.auth("viewer"),
        interventions.auth("portfolio_manager"),
    ):
        refused = await interventions.post(case["id"], "exception-report", report_body(), headers)
        assert refused.status_code == 403, refused.text
    by_admin = await interventions.post(case["id"], "exception-report", report_body())
    assert by_admin.status_code == 201


async def test_the_manager_named_by_at_risk_files_when_intake_never_told_standards(
    interventions: InterventionDesk, report_body: ReportBody
) -> None:
    assert await interventions.signal("unknown-project", manager="pm@corp.example") == ["applied"]
    (case,) = await interventions.cases(project_id="unknown-project")
    filed = await interventions.post(
        case["id"], "exception-report", report_body(), interventions.manager
    )
    assert filed.status_code == 201, filed.text


async def test_the_board_decides_only_on_a_filed_report(
    interventions: InterventionDesk, report_body: ReportBody
) -> None:
    case = await interventions.open_case()
    approve = {"outcome": "approve_option", "option": "extend", "note": "Go."}
    too_early = await interventions.post(case["id"], "decision", {"outcome": "approve_option"})
    assert too_early.status_code == 409, too_early.text
    await interventions.post(case["id"], "exception-report", report_body())
    by_manager = await interventions.post(case["id"], "decision", approve, interventions.manager)
    assert by_manager.status_code == 403
    for body in ({"outcome": "approve_option"}, {"outcome": "approve_option", "option": "pray"}):
        refused = await interventions.post(case["id"], "decision", body)
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["body.option"]
    unknown = await interventions.post(case["id"], "decision", {"outcome": "shrug"})
    assert unknown.status_code == 422
    board = await interventions.member(CASES_PORTFOLIO, "board@corp.example")
    decided = await interventions.post(case["id"], "decision", approve, board)
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"]["option"] == "extend"
    assert decided.json()["status"] == "open"
    (event,) = await interventions.outbox("project.exception_decided")
    assert (event.data["outcome"], event.data["decided_by"]) == (
        "approve_option",
        "board@corp.example",
    )


async def test_recovery_actions_are_added_and_done(interventions: InterventionDesk) -> None:
    case = await interventions.open_case()
    body = {"title": "Hire", "owner": "owner@corp.example", "due_date": "2020-01-01"}
    added = await interventions.post(case["id"], "actions", body, interventions.manager)
    assert added.status_code == 201, added.text
    action = added.json()
    assert action["status"] == "open" and action["done_at"] is None
    assert action["due_date"] == "2020-01-01"  # in the past: accepted, overdue at once
    for headers in (
        interventions.auth("viewer"),
        interventions.auth("project_manager", email="other.pm@corp.example"),
    ):
        refused = await interventions.post(case["id"], "actions", body, headers)
        assert refused.status_code == 403
    assert (await interventions.post(case["id"], "actions", {**body, "x": 1})).status_code == 422
    done = await interventions.finish(case["id"], action["id"])
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["done_at"] is not None
    (stored,) = (await interventions.case(case["id"]))["actions"]
    assert stored == done.json()
    missing = await interventions.finish(case["id"], "nope")
    assert missing.status_code == 404
    reopen = await interventions.client.patch(
        f"/v1/interventions/{case['id']}/actions/{action['id']}",
        json={"status": "open"},
        headers=interventions.manager,
    )
    assert reopen.status_code == 422


async def test_an_actions_owner_marks_it_done_but_nobody_elses(
    interventions: InterventionDesk,
) -> None:
    case = await interventions.open_case()
    theirs = await interventions.add_action(case["id"], TODAY, owner="Owner@Corp.example")
    someone_elses = await interventions.add_action(case["id"], TODAY, owner="else@corp.example")
    the_owner = interventions.auth("viewer", email="owner@corp.example")
    refused = [
        await interventions.finish(case["id"], someone_elses, the_owner),
        await interventions.finish(case["id"], "nope", the_owner),
        await interventions.finish(
            case["id"], theirs, interventions.auth("service", email="owner@corp.example")
        ),
        await interventions.finish(
            case["id"], theirs, interventions.auth("viewer", email="else.who@corp.example")
        ),
        await interventions.post(case["id"], "actions", ACTION, the_owner),
    ]
    assert [answer.status_code for answer in refused] == [403] * 5
    done = await interventions.finish(case["id"], theirs, the_owner)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done"
    statuses = {a["id"]: a["status"] for a in (await interventions.case(case["id"]))["actions"]}
    assert statuses == {theirs: "done", someone_elses: "open"}


async def test_a_case_holds_at_most_100_actions(
    interventions: InterventionDesk, standards_problem: Callable[..., dict[str, Any]]
) -> None:
    case = await interventions.open_case()
    for _ in range(100):
        await interventions.add_action(case["id"], TODAY)
    refused = await interventions.post(case["id"], "actions", ACTION)
    problem = standards_problem(refused, 409)
    assert "already has 100 actions" in problem["detail"]
    assert len((await interventions.case(case["id"]))["actions"]) == 100


@pytest.mark.parametrize("what", ["exception-report", "actions"])
async def test_creating_posts_replay_on_a_repeated_idempotency_key(
    interventions: InterventionDesk, report_body: ReportBody, what: str
) -> None:
    case = await interventions.open_case()
    due = (TODAY + timedelta(days=3)).isoformat()
    body = (
        report_body()
        if what == "exception-report"
        else {"title": "Re-plan", "owner": "o@corp.example", "due_date": due}
    )
    headers = {**interventions.admin, "Idempotency-Key": f"once-{what}"}
    first = await interventions.post(case["id"], what, body, headers)
    retry = await interventions.post(case["id"], what, body, headers)
    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.headers.get("idempotent-replayed") == "true"
    assert retry.json() == first.json()
    stored = await interventions.case(case["id"])
    assert len(stored["actions"]) == (1 if what == "actions" else 0)
    assert len(await interventions.outbox("project.exception_reported")) == (
        1 if what == "exception-report" else 0
    )
