"""The two-step review of requests: the portfolio recommends or returns for rework, the PMO
decides; every step is recorded and published."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmo_stack.testkit.openapi_checks import refused_fields

if TYPE_CHECKING:
    from conftest import Intake


def steps(request: dict[str, Any]) -> list[tuple[str, str | None, str, str]]:
    return [(s["action"], s["from_status"], s["to_status"], s["actor"]) for s in request["history"]]


async def pams_request(intake: Intake, ada: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The URL of a request Ada submitted to the portfolio Pam manages, and its proposal."""
    proposal = {**intake.request_body()["project"], "portfolio_id": await intake.new_portfolio()}
    request_id = await intake.new_request(ada, submit=True, project=proposal)
    return f"/v1/requests/{request_id}", proposal


async def test_a_returned_request_is_reworked_and_submitted_again(
    intake: Intake, ada: dict[str, str], pam: dict[str, str]
) -> None:
    url, proposal = await pams_request(intake, ada)
    no_comment = await intake.client.post(f"{url}/return", json={}, headers=pam)
    assert refused_fields(no_comment) == ["body.comment"]
    returned = await intake.client.post(
        f"{url}/return", json={"comment": "Cost each phase."}, headers=pam
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    assert returned.json()["history"][-1]["comment"] == "Cost each phase."
    assert (await intake.client.post(f"{url}/recommend", headers=pam)).status_code == 409

    proposal = {**proposal, "budget": 180000}
    edited = await intake.client.patch(url, json={"project": proposal}, headers=ada)
    assert edited.status_code == 200, edited.text
    assert edited.json()["project"]["budget"] == 180000
    again = await intake.client.post(f"{url}/submit", headers=ada)
    assert again.json()["status"] == "submitted"
    assert (await intake.client.patch(url, json={"title": "X"}, headers=ada)).status_code == 409

    assert steps(again.json()) == [
        ("draft", None, "draft", "ada@example.com"),
        ("submit", "draft", "submitted", "ada@example.com"),
        ("return", "submitted", "returned", "pam@example.com"),
        ("submit", "returned", "submitted", "ada@example.com"),
    ]
    events = await intake.outbox_events()
    assert [topic for topic, _ in events] == [
        *intake.new_portfolio_events,
        "intake.request.submitted",
        "intake.request.returned",
        "intake.request.submitted",
    ]
    assert events[3][1]["data"]["comment"] == "Cost each phase."
    assert events[3][1]["data"]["status"] == "returned"


async def test_a_portfolio_manager_reviews_but_does_not_decide(
    intake: Intake, ada: dict[str, str], pam: dict[str, str]
) -> None:
    url, _ = await pams_request(intake, ada)
    assert (await intake.client.post(f"{url}/recommend", headers=ada)).status_code == 403
    recommended = await intake.client.post(
        f"{url}/recommend", json={"comment": "Fund first."}, headers=pam
    )
    assert recommended.status_code == 200, recommended.text
    assert recommended.json()["status"] == "pmo_decision"
    for verb, body in (
        ("approve", {}),
        ("reject", {"reason": "No."}),
        ("reject", {"comment": "ok"}),
    ):
        refused = await intake.client.post(f"{url}/{verb}", json=body, headers=pam)
        assert refused.status_code == 403, (verb, refused.text)
    unexplained = await intake.client.post(f"{url}/reject", json={}, headers=intake.auth_header())
    assert refused_fields(unexplained) == ["body.reason"]
    blank = await intake.client.post(
        f"{url}/reject", json={"reason": ""}, headers=intake.auth_header()
    )
    assert refused_fields(blank) == ["body.reason"]

    approved = await intake.client.post(f"{url}/approve", headers=intake.auth_header())
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["project_id"]
    assert steps(approved.json())[-2:] == [
        ("recommend", "submitted", "pmo_decision", "pam@example.com"),
        ("approve", "pmo_decision", "approved", "pmo@example.com"),
    ]
    topics = [topic for topic, _ in await intake.outbox_events()]
    assert topics == [
        *intake.new_portfolio_events,
        "intake.request.submitted",
        "intake.request.recommended",
        "project.created",
        "intake.request.approved",
    ]


async def test_a_rejection_states_its_reason(intake: Intake, ada: dict[str, str]) -> None:
    url = f"/v1/requests/{await intake.new_request(ada, submit=True)}"
    rejected = await intake.client.post(
        f"{url}/reject",
        json={"reason": "Overlaps the ERP programme."},
        headers=intake.auth_header(),
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_comment"] == "Overlaps the ERP programme."
    assert (await intake.client.post(f"{url}/return", json={"comment": "x"})).status_code == 401
    late = await intake.client.post(
        f"{url}/return", json={"comment": "Too late"}, headers=intake.auth_header()
    )
    assert late.status_code == 409
    events = await intake.outbox_events()
    assert events[-1][0] == "intake.request.rejected"
    assert events[-1][1]["data"]["comment"] == "Overlaps the ERP programme."
