"""Filing status reports: validation, authorisation, replacement and the events they publish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pmo_common.messaging.event_applier import Outcome
from pmo_stack.testkit.portfolio_membership import membership_event

from .conftest import corrected

if TYPE_CHECKING:
    from conftest import Monitoring

TODAY = datetime.now(UTC).date()
RED = {"percent_complete": 40, "actual_cost": 50000}  # CPI 0.8, SPI 0.8: red
MANAGER = "ada@example.com"


def _url(project_id: str) -> str:
    return f"/v1/projects/{project_id}/status-reports"


async def test_red_report_publishes_reported_changed_and_at_risk(monitoring: Monitoring) -> None:
    project = await monitoring.known_project(portfolio_id="22222222-2222-2222-2222-222222222222")
    response = await monitoring.client.post(
        _url(project["project_id"]),
        json=monitoring.report_body(**RED),
        headers=monitoring.auth_header("project_manager", MANAGER),
    )
    assert response.status_code == 201, response.text
    filed = response.json()
    assert filed["health"]["rag"] == "red"
    assert filed["health"]["at_risk"] is True
    assert filed["replaced"] is False
    assert response.headers["location"].endswith(filed["id"])

    events = await monitoring.outbox()
    assert [topic for topic, _ in events] == [
        "project.status_reported",
        "project.health_changed",
        "project.at_risk",
        "project.early_warning",  # TCPI 1.2, far above the CPI of 0.8 achieved
    ]
    for _, envelope in events:
        assert envelope["subject"] == project["project_id"]
        assert envelope["source"] == "/pmo/monitoring"
    reported = events[0][1]["data"]
    assert (reported["report_id"], reported["percent_complete"]) == (filed["id"], 40.0)
    changed = events[1][1]["data"]
    assert (changed["previous_rag"], changed["rag"]) == (None, "red")

    at_risk = events[2][1]["data"]
    assert at_risk["project_id"] == project["project_id"]
    assert at_risk["project_name"] == "Apollo"
    assert at_risk["manager"] == MANAGER
    assert at_risk["sponsor"] == "grace@example.com"
    assert at_risk["portfolio_id"] == "22222222-2222-2222-2222-222222222222"
    assert (at_risk["rag"], at_risk["severity"]) == ("red", "critical")
    assert at_risk["as_of"] == TODAY.isoformat()
    metrics = at_risk["metrics"]
    for name in ("cpi", "spi", "eac", "vac", "pv", "ev", "ac", "bac", "etc", "tcpi", "spi_t"):
        assert name in metrics, name
    assert "forecast_end_date" in metrics
    assert (metrics["cpi"], metrics["ev"], metrics["ac"], metrics["bac"]) == (
        0.8,
        40000.0,
        50000.0,
        100000.0,
    )
    codes = {reason["code"] for reason in at_risk["reasons"]}
    assert {"cpi_below_threshold", "spi_below_threshold", "eac_over_budget"} <= codes
    cpi_reason = next(r for r in at_risk["reasons"] if r["code"] == "cpi_below_threshold")
    assert set(cpi_reason) >= {"code", "message", "metric", "value", "threshold"}
    assert (cpi_reason["metric"], cpi_reason["value"], cpi_reason["threshold"]) == (
        "cpi",
        0.8,
        0.9,
    )


async def test_staying_red_publishes_no_second_at_risk_and_recovery_is_published(
    monitoring: Monitoring,
) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    await monitoring.file_report(project_id, monitoring.report_body(as_of=yesterday, **RED))
    second = await monitoring.file_report(
        project_id, monitoring.report_body(percent_complete=41, actual_cost=52000)
    )
    assert second["health"]["rag"] == "red"
    assert (await monitoring.topics()).count("project.at_risk") == 1
    assert (await monitoring.topics())[-1] == "project.status_reported"

    # Ahead of plan for what it spent (CPI 1, SPI 1.04): green, figures only going up.
    healthy = await monitoring.file_report(
        project_id, monitoring.report_body(percent_complete=52, actual_cost=52000)
    )
    assert healthy["health"]["rag"] == "green"
    topics = await monitoring.topics()
    assert topics[-4:] == [
        "project.status_reported",
        "project.health_changed",
        "project.recovered",
        "project.early_warning_cleared",  # on budget again: TCPI 1.0
    ]
    recovered = (await monitoring.outbox())[-2][1]["data"]
    assert (recovered["previous_rag"], recovered["rag"]) == ("red", "green")
    assert recovered["manager"] == MANAGER


async def test_report_for_the_same_day_replaces_the_first(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    url = _url(project["project_id"])
    first = await monitoring.file_report(project["project_id"], monitoring.report_body(**RED))
    second = await monitoring.file_report(project["project_id"], monitoring.report_body())
    assert second["id"] == first["id"]
    assert (second["replaced"], second["revision"]) == (True, 2)
    assert second["percent_complete"] == 50
    assert second["health"]["rag"] == "green"
    listed = (await monitoring.client.get(url, headers=monitoring.auth_header())).json()
    assert [item["id"] for item in listed["items"]] == [first["id"]]
    assert (await monitoring.topics()).count("project.recovered") == 1


async def test_reports_are_listed_newest_first_and_paginated(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    url = _url(project["project_id"])
    for back in (3, 1, 2):  # the last one back-dated: listed by as_of, not by filing
        as_of = (TODAY - timedelta(days=back)).isoformat()
        body = monitoring.report_body(as_of=as_of)
        await monitoring.file_report(project["project_id"], corrected(body) if back == 2 else body)
    page = (
        await monitoring.client.get(url, params={"limit": 2}, headers=monitoring.auth_header())
    ).json()
    assert [item["as_of"] for item in page["items"]] == [
        (TODAY - timedelta(days=1)).isoformat(),
        (TODAY - timedelta(days=2)).isoformat(),
    ]
    assert page["next_offset"] == 2
    rest = (
        await monitoring.client.get(url, params={"offset": 2}, headers=monitoring.auth_header())
    ).json()
    assert [item["as_of"] for item in rest["items"]] == [(TODAY - timedelta(days=3)).isoformat()]
    one = await monitoring.client.get(
        f"{url}/{rest['items'][0]['id']}", headers=monitoring.auth_header()
    )
    assert one.status_code == 200
    assert (
        await monitoring.client.get(f"{url}/nope", headers=monitoring.auth_header())
    ).status_code == 404


async def test_invalid_reports_name_the_field(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    url = _url(project["project_id"])
    cases = {
        "body.percent_complete": monitoring.report_body(percent_complete=101),
        "body.actual_cost": monitoring.report_body(actual_cost=-1),
        "body.colour": monitoring.report_body(colour="blue"),
        "body.as_of": monitoring.report_body(as_of=(TODAY - timedelta(days=101)).isoformat()),
        "body.milestones.0.name": monitoring.report_body(
            milestones=[{"name": "Nope", "status": "done"}]
        ),
        "body.milestones.0.status": monitoring.report_body(
            milestones=[{"name": "Design signed off", "status": "finished"}]
        ),
        "body.risks.0.probability": monitoring.report_body(
            risks=[{"title": "x", "probability": 1.5, "impact": 3}]
        ),
        "body.risks.0.impact": monitoring.report_body(
            risks=[{"title": "x", "probability": 0.5, "impact": 6}]
        ),
        "body.manager_rag": monitoring.report_body(manager_rag="purple"),
        "body.summary": monitoring.report_body(summary="x" * 4001),
    }
    future = monitoring.report_body(as_of=(TODAY + timedelta(days=1)).isoformat())
    for field, body in [*cases.items(), ("body.as_of", future)]:
        response = await monitoring.client.post(url, json=body, headers=monitoring.auth_header())
        assert response.status_code == 422, (field, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        fields = [error["field"] for error in problem["errors"]]
        assert field in fields, (field, fields)
        assert problem["detail"]
    future_problem = (
        await monitoring.client.post(url, json=future, headers=monitoring.auth_header())
    ).json()
    assert "in the future" in future_problem["detail"]
    early_problem = (
        await monitoring.client.post(
            url, json=cases["body.as_of"], headers=monitoring.auth_header()
        )
    ).json()
    assert "before the project's start date" in early_problem["detail"]


async def test_unknown_project_answers_a_plain_404(monitoring: Monitoring) -> None:
    project_id = "33333333-3333-3333-3333-333333333333"
    for response in (
        await monitoring.client.post(
            _url(project_id), json=monitoring.report_body(), headers=monitoring.auth_header()
        ),
        await monitoring.client.get(
            f"/v1/projects/{project_id}/health", headers=monitoring.auth_header()
        ),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        detail = response.json()["detail"]
        assert f"Monitoring has not heard of project {project_id} yet" in detail
        assert "retry in a few seconds" in detail


async def test_authentication_and_authorisation(monitoring: Monitoring) -> None:
    project = await monitoring.known_project(portfolio_id="portfolio-a")
    url = _url(project["project_id"])
    assert (await monitoring.client.post(url, json=monitoring.report_body())).status_code == 401
    bad = {"Authorization": "Bearer not-a-jwt"}
    assert (await monitoring.client.get(url, headers=bad)).status_code == 401
    assert (
        await monitoring.client.get(f"/v1/projects/{project['project_id']}/health")
    ).status_code == 401
    assert (await monitoring.client.get("/v1/portfolio/health")).status_code == 401

    someone_else = monitoring.auth_header("project_manager", "bob@example.com")
    forbidden = await monitoring.client.post(
        url, json=monitoring.report_body(), headers=someone_else
    )
    assert forbidden.status_code == 403
    assert forbidden.json()["title"] == "Forbidden"
    assert (await monitoring.client.get(url, headers=someone_else)).status_code == 403
    health_url = f"/v1/projects/{project['project_id']}/health"
    assert (await monitoring.client.get(health_url, headers=someone_else)).status_code == 403
    viewer = monitoring.auth_header("viewer", "vera@example.com")
    assert (
        await monitoring.client.post(url, json=monitoring.report_body(), headers=viewer)
    ).status_code == 403
    assert (await monitoring.client.get(health_url, headers=viewer)).status_code == 200

    own = monitoring.auth_header("project_manager", "Ada@Example.com")
    three_days_ago = (TODAY - timedelta(days=3)).isoformat()
    assert (
        await monitoring.client.post(
            url, json=monitoring.report_body(as_of=three_days_ago), headers=own
        )
    ).status_code == 201
    outsider = monitoring.auth_header("portfolio_manager")
    refused = await monitoring.client.post(url, json=monitoring.report_body(), headers=outsider)
    assert refused.status_code == 403, "a portfolio manager of no portfolio of the project"
    # The portfolio's manager (the e-mail of auth_header's portfolio_manager) files it.
    member = membership_event(portfolio_id="portfolio-a", email="pmo@example.com")
    assert await monitoring.apply(member) == Outcome.APPLIED
    for role in ("portfolio_manager", "pmo_admin"):
        yesterday = (TODAY - timedelta(days=1 if role == "pmo_admin" else 2)).isoformat()
        response = await monitoring.client.post(
            url, json=monitoring.report_body(as_of=yesterday), headers=monitoring.auth_header(role)
        )
        assert response.status_code == 201, role


async def test_closed_project_refuses_reports(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    await monitoring.close_project(project)
    response = await monitoring.client.post(
        _url(project["project_id"]), json=monitoring.report_body(), headers=monitoring.auth_header()
    )
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


async def test_idempotency_key_replays_the_first_answer(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    headers = {**monitoring.auth_header(), "Idempotency-Key": "report-1"}
    url = _url(project["project_id"])
    first = await monitoring.client.post(url, json=monitoring.report_body(**RED), headers=headers)
    second = await monitoring.client.post(url, json=monitoring.report_body(**RED), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert first.json() == second.json()
    assert (await monitoring.topics()).count("project.status_reported") == 1
    other = await monitoring.client.post(url, json=monitoring.report_body(), headers=headers)
    assert other.status_code == 422
