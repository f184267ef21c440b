"""A portfolio manager acts on the cases of their own portfolios only (docs/adr/0026).

Membership comes from intake's member_added/_removed events, applied in order of changed_at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pmo_stack.testkit.portfolio_membership import (
    add_then_remove_then_replayed_add,
    membership_event,
)

if TYPE_CHECKING:
    from conftest import InterventionDesk

ReportBody = Callable[..., dict[str, Any]]
NORTH, SOUTH = "portfolio-north", "portfolio-south"
APPROVE = {"outcome": "approve_option", "option": "extend", "note": "Go."}


async def _reported_case(
    interventions: InterventionDesk, report_body: ReportBody, portfolio_id: str
) -> dict[str, Any]:
    case = await interventions.open_case(portfolio_id=portfolio_id)
    filed = await interventions.post(case["id"], "exception-report", report_body())
    assert filed.status_code == 201, filed.text
    return case


async def test_a_portfolio_manager_decides_only_for_their_portfolio(
    interventions: InterventionDesk, report_body: ReportBody
) -> None:
    case = await _reported_case(interventions, report_body, NORTH)
    south_manager = await interventions.member(SOUTH, "south.pf@corp.example")
    refused = await interventions.post(case["id"], "decision", APPROVE, south_manager)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "portfolio manager of the portfolio" in refused.json()["detail"]
    assert (
        await interventions.client.get(f"/v1/interventions/{case['id']}", headers=south_manager)
    ).status_code == 403
    north_manager = await interventions.member(NORTH, "north.pf@corp.example")
    decided = await interventions.post(case["id"], "decision", APPROVE, north_manager)
    assert decided.status_code == 200, decided.text


async def test_a_viewer_member_reads_the_case_but_cannot_decide(
    interventions: InterventionDesk, report_body: ReportBody
) -> None:
    case = await _reported_case(interventions, report_body, NORTH)
    # A portfolio_manager token whose membership of this portfolio is only `viewer`.
    viewer = await interventions.member(NORTH, "watcher@corp.example", role="viewer")
    read = await interventions.client.get(f"/v1/interventions/{case['id']}", headers=viewer)
    assert read.status_code == 200, read.text
    assert [c["id"] for c in await interventions.cases(viewer)] == [case["id"]]
    for what, body in (("decision", APPROVE), ("owner", {"owner": "carla@pmo.example"})):
        refused = await interventions.post(case["id"], what, body, viewer)
        assert refused.status_code == 403, (what, refused.text)
    refused = await interventions.post(
        case["id"],
        "actions",
        {"title": "Hire", "owner": "o@corp.example", "due_date": "2030-01-01"},
        viewer,
    )
    assert refused.status_code == 403, refused.text


async def test_a_member_lists_only_the_cases_of_their_portfolios(
    interventions: InterventionDesk,
) -> None:
    north = await interventions.open_case(portfolio_id=NORTH)
    await interventions.open_case(portfolio_id=SOUTH)
    member = await interventions.member(NORTH, "north.pf@corp.example")
    assert [c["id"] for c in await interventions.cases(member)] == [north["id"]]
    assert len(await interventions.cases()) == 2  # a PMO admin sees both


async def test_removal_revokes_and_a_replayed_older_addition_does_not_restore(
    interventions: InterventionDesk, report_body: ReportBody
) -> None:
    case = await _reported_case(interventions, report_body, NORTH)
    email = "leaver@corp.example"
    added, removed, replayed = add_then_remove_then_replayed_add(portfolio_id=NORTH, email=email)
    headers = interventions.auth("portfolio_manager", email=email)
    assert await interventions.deliver(added) == ["applied"]
    read = await interventions.client.get(f"/v1/interventions/{case['id']}", headers=headers)
    assert read.status_code == 200, read.text
    assert await interventions.deliver(removed, replayed) == ["applied", "applied"]
    for attempt in (
        await interventions.client.get(f"/v1/interventions/{case['id']}", headers=headers),
        await interventions.post(case["id"], "decision", APPROVE, headers),
    ):
        assert attempt.status_code == 403, attempt.text
    # A later addition (a new grant) does apply.
    assert await interventions.deliver(
        membership_event(portfolio_id=NORTH, email=email.upper())
    ) == ["applied"]
    decided = await interventions.post(case["id"], "decision", APPROVE, headers)
    assert decided.status_code == 200, decided.text
