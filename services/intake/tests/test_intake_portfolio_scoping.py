"""A portfolio manager's rights cover only their portfolios (ADR 0026): decisions, reviews,
changes and reads; any member reads; a project under a programme is in the programme's
portfolio."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Intake

ADA = "ada@example.com"
CHANGE = {"changes": {"budget": 130000}, "justification": "Scope grew."}


@dataclass(frozen=True)
class Two:
    """Pam's portfolio and Olga's, a project of Ada's in each, and a change request Ada filed
    on each project."""

    intake: Intake
    pams: str
    olgas: str
    pams_project: dict[str, Any]
    olgas_project: dict[str, Any]
    pams_change: str
    olgas_change: str

    @property
    def pam(self) -> dict[str, str]:
        return self.intake.auth_header("portfolio_manager", "pam@example.com")


async def _programme(
    intake: Intake, portfolio_id: str, headers: dict[str, str], name: str = "Warehouses"
) -> httpx.Response:
    """The answer to creating a programme in the portfolio as the caller `headers` name."""
    body = {"name": name, "owner": "kj@example.com", "portfolio_id": portfolio_id}
    return await intake.client.post("/v1/programs", json=body, headers=headers)


async def _filed(intake: Intake, project_id: str) -> str:
    ada = intake.auth_header("project_manager", ADA)
    url = f"/v1/projects/{project_id}/change-requests"
    filed = await intake.client.post(url, json=CHANGE, headers=ada)
    assert filed.status_code == 201, filed.text
    return f"{url}/{filed.json()['id']}"


@pytest.fixture
async def two(intake: Intake) -> Two:
    pams = await intake.new_portfolio()
    olgas = await intake.new_portfolio(owner="olga@example.com", name="Other")
    pams_project = await intake.new_project(portfolio_id=pams)
    olgas_project = await intake.new_project(name="Borealis", portfolio_id=olgas)
    return Two(
        intake,
        pams,
        olgas,
        pams_project,
        olgas_project,
        await _filed(intake, pams_project["id"]),
        await _filed(intake, olgas_project["id"]),
    )


async def test_a_portfolio_manager_is_refused_on_another_portfolio(two: Two) -> None:
    client = two.intake.client
    for verb, body in (("approve", None), ("reject", {"reason": "Not mine to decide."})):
        refused = await client.post(f"{two.olgas_change}/{verb}", json=body, headers=two.pam)
        assert refused.status_code == 403, refused.text
        assert "portfolio manager of its portfolio" in refused.json()["detail"]
    assert (await client.get(two.olgas_change, headers=two.pam)).status_code == 403
    olgas = f"/v1/projects/{two.olgas_project['id']}"
    assert (await client.get(olgas, headers=two.pam)).status_code == 403
    patched = await client.patch(
        f"/v1/portfolios/{two.olgas}", json={"description": "Mine now"}, headers=two.pam
    )
    assert patched.status_code == 403
    # Her own portfolio's project lists alone, and its change request is hers to decide.
    listed = await client.get("/v1/projects", headers=two.pam)
    assert [p["id"] for p in listed.json()["items"]] == [two.pams_project["id"]]
    filtered = await client.get("/v1/projects", params={"portfolio_id": two.olgas}, headers=two.pam)
    assert filtered.json()["items"] == []
    approved = await client.post(f"{two.pams_change}/approve", headers=two.pam)
    assert approved.status_code == 200, approved.text
    # Olga decides hers; PMO admins decide anywhere and see everything.
    olga = two.intake.auth_header("portfolio_manager", "olga@example.com")
    assert (await client.post(f"{two.olgas_change}/approve", headers=olga)).status_code == 200
    everything = await client.get("/v1/projects", headers=two.intake.auth_header())
    assert len(everything.json()["items"]) == 2


async def test_a_viewer_member_reads_but_does_not_decide(two: Two) -> None:
    client, admin = two.intake.client, two.intake.auth_header()
    for token_role in ("portfolio_manager", "project_manager"):
        vic = two.intake.auth_header(token_role, f"vic.{token_role}@example.com")
        added = await client.post(
            f"/v1/portfolios/{two.olgas}/members",
            json={"email": f"vic.{token_role}@example.com", "role": "viewer"},
            headers=admin,
        )
        assert added.status_code == 201, added.text
        project = f"/v1/projects/{two.olgas_project['id']}"
        assert (await client.get(project, headers=vic)).status_code == 200
        assert (await client.get(f"{project}/baselines", headers=vic)).status_code == 200
        assert (await client.get(two.olgas_change, headers=vic)).status_code == 200
        listed = await client.get("/v1/projects", headers=vic)
        assert [p["id"] for p in listed.json()["items"]] == [two.olgas_project["id"]]
        refused = await client.post(f"{two.olgas_change}/approve", headers=vic)
        assert refused.status_code == 403, token_role
    # The global viewer role (executives) still reads every portfolio.
    executive = two.intake.auth_header("viewer", "exec@example.com")
    assert len((await client.get("/v1/projects", headers=executive)).json()["items"]) == 2


async def test_requests_are_reviewed_and_read_within_the_portfolio(
    intake: Intake, ada: dict[str, str], pam: dict[str, str]
) -> None:
    pams = await intake.new_portfolio()
    olgas = await intake.new_portfolio(owner="olga@example.com", name="Other")
    proposal = intake.request_body()["project"]
    mine = await intake.new_request(ada, submit=True, project={**proposal, "portfolio_id": pams})
    theirs = await intake.new_request(
        ada, submit=True, title="Elsewhere", project={**proposal, "portfolio_id": olgas}
    )
    loose = await intake.new_request(ada, submit=True, title="Nowhere")
    listed = await intake.client.get("/v1/requests", headers=pam)
    assert [r["id"] for r in listed.json()["items"]] == [mine]
    assert (await intake.client.get(f"/v1/requests/{theirs}", headers=pam)).status_code == 403
    for request_id, status in ((theirs, 403), (loose, 403), (mine, 200)):
        answer = await intake.client.post(f"/v1/requests/{request_id}/recommend", headers=pam)
        assert answer.status_code == status, (request_id, answer.text)
    # Budgets and scenarios of a portfolio are its managers' (and PMO admins').
    envelope = {"amount": 1000}
    for portfolio_id, status in ((olgas, 403), (pams, 200)):
        url = f"/v1/portfolios/{portfolio_id}/budgets/2027"
        assert (await intake.client.put(url, json=envelope, headers=pam)).status_code == status
    # The requester keeps seeing her own, wherever they are.
    own = await intake.client.get("/v1/requests", headers=ada)
    assert len(own.json()["items"]) == 3


async def test_a_project_under_a_programme_is_in_the_programmes_portfolio(intake: Intake) -> None:
    admin = intake.auth_header()
    portfolio = await intake.new_portfolio()
    other = await intake.new_portfolio(owner="olga@example.com", name="Other")
    program = await _programme(intake, portfolio, admin)
    assert program.status_code == 201, program.text
    program_id = program.json()["id"]

    created = await intake.new_project(program_id=program_id)
    assert created["portfolio_id"] == portfolio
    read = await intake.client.get(f"/v1/projects/{created['id']}", headers=admin)
    assert read.json()["portfolio_id"] == portfolio
    announced = [
        event["data"]
        for topic, event in await intake.outbox_events()
        if topic == "project.created" and event["subject"] == created["id"]
    ]
    assert [(data["portfolio_id"], data["program_id"]) for data in announced] == [
        (portfolio, program_id)
    ]
    # Pam manages the programme's portfolio, so the project is hers to read.
    pam = intake.auth_header("portfolio_manager", "pam@example.com")
    assert (
        await intake.client.get(f"/v1/projects/{created['id']}", headers=pam)
    ).status_code == 200

    conflicting = await intake.client.post(
        "/v1/projects",
        json=intake.project_body(name="Clash", program_id=program_id, portfolio_id=other),
        headers=admin,
    )
    assert conflicting.status_code == 422
    assert [e["field"] for e in conflicting.json()["errors"]] == ["body.portfolio_id"]
    url = f"/v1/projects/{created['id']}"
    moved_out = await intake.client.patch(url, json={"portfolio_id": other}, headers=admin)
    assert moved_out.status_code == 422
    assert [e["field"] for e in moved_out.json()["errors"]] == ["body.portfolio_id"]
    # Out of the programme, the project may go to another portfolio.
    left = await intake.client.patch(
        url, json={"program_id": None, "portfolio_id": other}, headers=admin
    )
    assert left.status_code == 200, left.text
    assert left.json()["portfolio_id"] == other
    # Into the programme again, it follows the programme's portfolio.
    back = await intake.client.patch(url, json={"program_id": program_id}, headers=admin)
    assert back.status_code == 200, back.text
    assert back.json()["portfolio_id"] == portfolio


async def test_a_programme_moves_only_with_both_portfolios_managers(
    intake: Intake, pam: dict[str, str]
) -> None:
    admin = intake.auth_header()
    pams = await intake.new_portfolio()
    olgas = await intake.new_portfolio(owner="olga@example.com", name="Other")
    assert (await _programme(intake, olgas, pam, name="Sneaky")).status_code == 403
    program = await _programme(intake, pams, pam)
    assert program.status_code == 201, program.text
    url = f"/v1/programs/{program.json()['id']}"
    renamed = await intake.client.patch(url, json={"description": "Robots"}, headers=pam)
    assert renamed.status_code == 200, renamed.text
    moved = await intake.client.patch(url, json={"portfolio_id": olgas}, headers=pam)
    assert moved.status_code == 403
    both = {"email": "pam@example.com", "role": "portfolio_manager"}
    granted = await intake.client.post(f"/v1/portfolios/{olgas}/members", json=both, headers=admin)
    assert granted.status_code == 201, granted.text
    moved = await intake.client.patch(url, json={"portfolio_id": olgas}, headers=pam)
    assert moved.status_code == 200, moved.text
    # Now in Olga's portfolio, the programme is hers to change too.
    olga_only = intake.auth_header("portfolio_manager", "olga@example.com")
    assert (
        await intake.client.patch(url, json={"description": "Olga's"}, headers=olga_only)
    ).status_code == 200
