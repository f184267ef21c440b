"""Bad input never gets a 500: strict, bounded request bodies answer 422 naming the field and
leave the stored data as it was; a project at the end of the calendar is judged, not crashed;
every request body of the OpenAPI document carries examples that its model accepts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pmo_monitoring.api import schemas
from pmo_stack.testkit.openapi_checks import check_request_body_examples, refused_fields

if TYPE_CHECKING:
    from conftest import Monitoring


def _url(project_id: str) -> str:
    return f"/v1/projects/{project_id}/status-reports"


def _risk(**overrides: Any) -> list[dict[str, Any]]:
    return [{"title": "Supplier late", "probability": 0.3, "impact": 4, **overrides}]


def _milestone(**overrides: Any) -> list[dict[str, Any]]:
    return [{"name": "Design signed off", "status": "in_progress", **overrides}]


BAD_BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "percent as a boolean": ("body.percent_complete", {"percent_complete": True}),
    "percent as a string": ("body.percent_complete", {"percent_complete": "50"}),
    "cost as a boolean": ("body.actual_cost", {"actual_cost": False}),
    "cost as a string": ("body.actual_cost", {"actual_cost": "50000"}),
    "probability as a boolean": ("body.risks.0.probability", {"risks": _risk(probability=True)}),
    "probability as a string": ("body.risks.0.probability", {"risks": _risk(probability="0.3")}),
    "impact as a boolean": ("body.risks.0.impact", {"risks": _risk(impact=True)}),
    "impact as a string": ("body.risks.0.impact", {"risks": _risk(impact="4")}),
    "impact as a fraction": ("body.risks.0.impact", {"risks": _risk(impact=2.5)}),
    "as_of near the end of the calendar": ("body.as_of", {"as_of": "9999-12-20"}),
    "as_of before 1900": ("body.as_of", {"as_of": "1899-12-31"}),
    "forecast date past 2200": (
        "body.milestones.0.forecast_date",
        {"milestones": _milestone(forecast_date="9999-12-31")},
    ),
    "risk title with a control character": (
        "body.risks.0.title",
        {"risks": _risk(title="Supplier\x00late")},
    ),
    "risk title with a bidi override": (
        "body.risks.0.title",
        {"risks": _risk(title="Supplier \u202elate")},
    ),
    "blank risk title": ("body.risks.0.title", {"risks": _risk(title="   ")}),
    "milestone name with a line break": (
        "body.milestones.0.name",
        {"milestones": _milestone(name="Design\nsigned off")},
    ),
    "summary with a bidi isolate": ("body.summary", {"summary": "On track \u2066really\u2069"}),
    "summary with a control character": ("body.summary", {"summary": "On track\x07"}),
    "summary too long": ("body.summary", {"summary": "x" * 4001}),
}


async def _stored_state(monitoring: Monitoring, project_id: str) -> tuple[Any, Any, list[str]]:
    listed = await monitoring.client.get(_url(project_id), headers=monitoring.auth_header())
    assert listed.status_code == 200, listed.text
    health = await monitoring.read_health(project_id)
    return listed.json(), health, await monitoring.topics()


@pytest.mark.parametrize(("field", "overrides"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_bad_values_answer_422_and_leave_the_stored_data_intact(
    monitoring: Monitoring,
    lenient_client: httpx.AsyncClient,
    field: str,
    overrides: dict[str, Any],
) -> None:
    project = await monitoring.known_project()
    project_id = project["project_id"]
    await monitoring.file_report(project_id, monitoring.report_body())
    before = await _stored_state(monitoring, project_id)
    response = await lenient_client.post(
        _url(project_id),
        json=monitoring.report_body(**overrides),
        headers=monitoring.auth_header(),
    )
    assert field in refused_fields(response)
    assert await _stored_state(monitoring, project_id) == before


async def test_a_summary_keeps_its_line_breaks_and_numbers_may_be_integers(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project()
    summary = "Build is late.\r\nRecovery plan:\tagreed."
    filed = await monitoring.file_report(
        project["project_id"],
        monitoring.report_body(
            percent_complete=50, actual_cost=50000, summary=summary, risks=_risk(probability=1)
        ),
    )
    assert filed["summary"] == summary
    assert (filed["percent_complete"], filed["risks"][0]["probability"]) == (50.0, 1.0)


async def test_a_project_at_the_end_of_the_calendar_has_a_health(
    monitoring: Monitoring, lenient_client: httpx.AsyncClient
) -> None:
    """Intake refuses such dates now; monitoring may still hold one projected before."""
    project = await monitoring.known_project(
        start_date="9999-12-20", end_date="9999-12-31", milestones=[]
    )
    response = await lenient_client.get(
        f"/v1/projects/{project['project_id']}/health", headers=monitoring.auth_header()
    )
    assert response.status_code == 200, response.text
    health = response.json()
    assert health["next_report_due"] is None
    assert any("after 2200-12-31" in note for note in health["notes"])
    assert health["forecast"]["forecast_end_date"] is None

    portfolio = await monitoring.read_portfolio_health()
    assert project["project_id"] in [item["project_id"] for item in portfolio["projects"]["items"]]


async def test_a_forecast_past_2200_is_null_with_a_reason_on_post_and_get(
    monitoring: Monitoring, lenient_client: httpx.AsyncClient
) -> None:
    # Started 100 days ago, planned to end on the last day of the calendar, 0.1 % done.
    project = await monitoring.known_project(end_date="9999-12-31", milestones=[])
    project_id = project["project_id"]
    body = monitoring.report_body(percent_complete=0.1, actual_cost=10, milestones=[])
    filed = await lenient_client.post(_url(project_id), json=body, headers=monitoring.auth_header())
    assert filed.status_code == 201, filed.text
    for health in (
        filed.json()["health"],
        (
            await lenient_client.get(
                f"/v1/projects/{project_id}/health", headers=monitoring.auth_header()
            )
        ).json(),
    ):
        assert health["metrics"]["spi_t"] is not None
        assert health["metrics"]["forecast_end_date"] is None
        assert health["forecast"]["forecast_end_date"] is None
        assert "after 2200-12-31" in health["forecast"]["message"]
        assert health["next_report_due"] is not None
    history = await lenient_client.get(
        f"/v1/projects/{project_id}/health/history", headers=monitoring.auth_header()
    )
    assert history.status_code == 200, history.text
    assert history.json()["items"][0]["forecast_end_date"] is None


def test_every_request_body_documents_examples_its_model_accepts(monitoring: Monitoring) -> None:
    bodies = check_request_body_examples(monitoring.app.openapi(), schemas)
    assert bodies, "the service has request bodies"
