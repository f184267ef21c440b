"""Demand over HTTP: scoring models, reviewers' scores and the ranking they give, budget
envelopes, and scenarios that pick the best portfolio a budget can buy."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from typing import TYPE_CHECKING, Any

import pytest
from pmo_intake.api.demand_schemas import MAX_CATEGORIES
from pmo_intake.db import request_repository, scoring_model_repository
from pmo_intake.db.tables import project_requests
from pmo_intake.domain.portfolio_selection import SelectionReport, selection_report
from pmo_intake.handlers import scenario_commands
from pmo_stack.testkit.openapi_checks import refused_fields
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from conftest import Intake

CRITERIA = [
    {"key": "value", "name": "Business value", "weight": 3},
    {"key": "alignment", "name": "Strategic alignment", "weight": 2},
    {"key": "risk", "name": "Delivery risk", "weight": 1, "direction": "lower"},
]
# One criterion on a 0-100 scale: a reviewer's value is the request's score.
PLAIN_SCORE = [{"key": "score", "name": "Score", "weight": 1, "scale_min": 0, "scale_max": 100}]


@dataclass(frozen=True)
class Desk:
    """A portfolio scored with its own model, and the people who work on its demand."""

    intake: Intake
    portfolio_id: str
    model_id: str

    @property
    def pam(self) -> dict[str, str]:
        return self.intake.auth_header("portfolio_manager", "pam@example.com")

    @property
    def admin(self) -> dict[str, str]:
        return self.intake.auth_header()

    async def request(self, title: str, budget: float = 250000, submit: bool = True) -> str:
        """A request of the portfolio proposing a project of this budget; its id."""
        proposal = self.intake.request_body()["project"]
        project = {**proposal, "budget": budget, "portfolio_id": self.portfolio_id}
        return await self.intake.new_request(
            self.admin, submit=submit, title=title, project=project
        )

    async def score(self, request_id: str, values: dict[str, float], **headers: str) -> Any:
        answer = await self.intake.client.put(
            f"/v1/requests/{request_id}/scores",
            json={"criteria": values},
            headers=headers or self.pam,
        )
        return answer


async def desk_with(intake: Intake, criteria: list[dict[str, Any]]) -> Desk:
    admin = intake.auth_header()
    model = await intake.client.post(
        "/v1/scoring-models", json={"name": "Growth", "criteria": criteria}, headers=admin
    )
    assert model.status_code == 201, model.text
    portfolio = await intake.client.post(
        "/v1/portfolios",
        json={
            "name": "Growth",
            # Pam owns it, so she is its portfolio manager (ADR 0026).
            "owner": "pam@example.com",
            "scoring_model_id": model.json()["id"],
        },
        headers=admin,
    )
    assert portfolio.status_code == 201, portfolio.text
    assert portfolio.json()["scoring_model_id"] == model.json()["id"]
    return Desk(intake, portfolio.json()["id"], model.json()["id"])


@pytest.fixture
async def desk(intake: Intake) -> Desk:
    return await desk_with(intake, CRITERIA)


async def test_models_are_written_by_admins_validated_and_versioned(desk: Desk) -> None:
    client, url = desk.intake.client, f"/v1/scoring-models/{desk.model_id}"
    model = (await client.get(url, headers=desk.pam)).json()
    assert model["version"] == 1
    assert model["criteria"][2] == {
        "key": "risk",
        "name": "Delivery risk",
        "weight": 1,
        "scale_min": 1,
        "scale_max": 5,
        "direction": "lower",
    }
    viewer = desk.intake.auth_header("viewer", "vic@example.com")
    assert (await client.get(url, headers=viewer)).status_code == 403
    body = {"name": "Growth", "criteria": CRITERIA[:2]}
    assert (await client.put(url, json=body, headers=desk.pam)).status_code == 403
    revised = await client.put(url, json=body, headers=desk.admin)
    assert revised.json()["version"] == 2
    assert len(revised.json()["criteria"]) == 2
    first = await client.get(f"{url}/versions/1", headers=desk.pam)
    assert len(first.json()["criteria"]) == 3
    duplicate = [CRITERIA[0], {**CRITERIA[1], "key": "value", "weight": 0}]
    refused = await client.post(
        "/v1/scoring-models", json={"name": "Bad", "criteria": duplicate}, headers=desk.admin
    )
    assert refused_fields(refused) == ["body.criteria.1.weight"]
    refused = await client.post(
        "/v1/scoring-models",
        json={"name": "Bad", "criteria": [CRITERIA[0], {**CRITERIA[1], "key": "value"}]},
        headers=desk.admin,
    )
    assert refused_fields(refused) == ["body.criteria.1.key"]
    listed = await client.get("/v1/scoring-models", headers=desk.pam)
    assert [m["name"] for m in listed.json()["items"]] == ["Growth"]
    unknown = await client.post(
        "/v1/portfolios",
        json={"name": "X", "owner": "o@example.com", "scoring_model_id": "0" * 8 + "-" + "0" * 27},
        headers=desk.admin,
    )
    assert refused_fields(unknown) == ["body.scoring_model_id"]


async def test_two_reviewers_score_a_request_and_requests_rank_by_score(desk: Desk) -> None:
    crm = await desk.request("CRM")
    wms = await desk.request("WMS")
    await desk.request("Unscored")
    draft = await desk.request("Draft", submit=False)
    assert (await desk.score(draft, {"value": 5, "alignment": 5, "risk": 1})).status_code == 409

    out_of_scale = await desk.score(crm, {"value": 6, "alignment": 3, "risk": 0})
    assert refused_fields(out_of_scale) == ["body.criteria.value", "body.criteria.risk"]
    ada = desk.intake.auth_header("project_manager", "ada@example.com")
    refused = await desk.score(crm, {"value": 5, "alignment": 3, "risk": 2}, **ada)
    assert refused.status_code == 403

    first = await desk.score(crm, {"value": 5, "alignment": 3, "risk": 2})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "portfolio_review"
    assert first.json()["score"] == pytest.approx(475 / 6)
    second = await desk.score(crm, {"value": 3, "alignment": 5, "risk": 4}, **desk.admin)
    scored = second.json()
    assert scored["score"] == pytest.approx(425 / 6)  # (79 1/6 + 62.5) / 2
    assert scored["score_spread"] == pytest.approx(50 / 3)
    risk = next(item for item in scored["score_breakdown"] if item["key"] == "risk")
    assert risk == pytest.approx(
        {"key": "risk", "mean_value": 3, "normalised": 0.5, "contribution": 25 / 3}
    )
    assert [s["action"] for s in scored["history"]] == ["draft", "submit", "score"]
    rescored = await desk.score(crm, {"value": 5, "alignment": 3, "risk": 2}, **desk.admin)
    assert rescored.json()["score"] == pytest.approx(475 / 6)  # the admin's own, replaced
    await desk.score(wms, {"value": 5, "alignment": 5, "risk": 1})

    client = desk.intake.client
    best_first = await client.get("/v1/requests", params={"sort": "-score"}, headers=desk.pam)
    titles = [r["title"] for r in best_first.json()["items"]]
    assert titles[:2] == ["WMS", "CRM"]
    assert set(titles[2:]) == {"Unscored", "Draft"}
    worst_first = await client.get("/v1/requests", params={"sort": "score"}, headers=desk.pam)
    assert [r["title"] for r in worst_first.json()["items"]][:2] == ["CRM", "WMS"]
    newest = await client.get("/v1/requests", headers=desk.pam)
    assert [r["title"] for r in newest.json()["items"]] == ["Draft", "Unscored", "WMS", "CRM"]


async def test_budget_envelopes_show_what_projects_commit(desk: Desk) -> None:
    client, url = desk.intake.client, f"/v1/portfolios/{desk.portfolio_id}/budgets/2027"
    assert (await client.get(url, headers=desk.pam)).status_code == 404
    await desk.intake.new_project(portfolio_id=desk.portfolio_id, budget=300000)  # 2026
    await desk.intake.new_project(
        portfolio_id=desk.portfolio_id,
        budget=400000,
        start_date="2027-02-01",
        end_date="2027-12-31",
        milestones=[],
    )
    set_ = await client.put(url, json={"amount": 1000000}, headers=desk.pam)
    assert set_.status_code == 200, set_.text
    assert set_.json() == {
        **set_.json(),
        "amount": 1000000,
        "committed": 400000,
        "remaining": 600000,
        "updated_by": "pam@example.com",
    }
    assert (await client.get(url, headers=desk.admin)).json() == set_.json()
    assert refused_fields(await client.put(url, json={"amount": -1}, headers=desk.pam)) == [
        "body.amount"
    ]
    viewer = desk.intake.auth_header("viewer", "vic@example.com")
    assert (await client.put(url, json={"amount": 1}, headers=viewer)).status_code == 403
    unknown = f"/v1/portfolios/{desk.model_id}/budgets/2027"
    missing = await client.put(unknown, json={"amount": 1}, headers=desk.admin)
    assert missing.status_code == 404
    # A portfolio Pam is no manager of (here: none at all) is not hers to budget (ADR 0026).
    assert (await client.put(unknown, json={"amount": 1}, headers=desk.pam)).status_code == 403
    # The envelope's audit record: who set it, from nothing to 1,000,000.
    trail = await client.get(
        "/v1/audit", params={"resource_id": f"{desk.portfolio_id}/2027"}, headers=desk.admin
    )
    (record,) = trail.json()["items"]
    assert (record["action"], record["actor"]["email"]) == (
        "budget_envelope.created",
        "pam@example.com",
    )
    assert record["changes"]["amount"] == {"before": None, "after": 1000000}


# A scenario on four requests where greedy by score per cost is not optimal (budget 100,000):
# greedy takes D (ratio 3) then A, scoring 92; B + C score 99.
REQUESTS = {"A": (62, 60000), "B": (50, 50000), "C": (49, 50000), "D": (30, 10000)}


def brute_force(
    budget: float,
    requires: dict[str, str],
    demands: dict[str, float],
    capacity: float,
) -> tuple[set[str], float]:
    """The best subset by trying them all."""
    best: tuple[set[str], float] = (set(), 0.0)
    for size in range(len(REQUESTS) + 1):
        for subset in map(set, combinations(REQUESTS, size)):
            if sum(REQUESTS[name][1] for name in subset) > budget:
                continue
            if any(requires.get(name, name) not in subset for name in subset):
                continue
            if sum(demands.get(name, 0) for name in subset) > capacity:
                continue
            score = float(sum(REQUESTS[name][0] for name in subset))
            if score > best[1]:
                best = (subset, score)
    return best


async def test_a_scenario_finds_the_optimum_and_its_commit_sends_it_to_the_pmo(
    intake: Intake,
) -> None:
    desk = await desk_with(intake, PLAIN_SCORE)
    ids = {name: await desk.request(name, budget=cost) for name, (_, cost) in REQUESTS.items()}
    names = {request_id: name for name, request_id in ids.items()}
    for name, (score, _) in REQUESTS.items():
        assert (await desk.score(ids[name], {"score": score})).status_code == 200
    url = f"/v1/portfolios/{desk.portfolio_id}/scenarios"

    plain = await intake.client.post(url, json={"budget_cap": 100000}, headers=desk.pam)
    assert plain.status_code == 201, plain.text
    expected, best = brute_force(100000, {}, {}, float("inf"))
    assert {names[i] for i in plain.json()["selected"]} == expected == {"B", "C"}
    assert plain.json()["total_score"] == pytest.approx(best)
    assert plain.json()["total_cost"] == 100000
    assert plain.json()["greedy_score"] == pytest.approx(92)
    assert plain.json()["optimal"] is True
    frontier = plain.json()["frontier"]
    assert len(frontier) == 10
    _, best_at_150 = brute_force(150000, {}, {}, float("inf"))
    assert frontier[-1] == {"budget": pytest.approx(150000), "score": pytest.approx(best_at_150)}

    # C only with D, and A and D cannot share the 5 engineers: B + D is the best left.
    constrained = {
        "budget_cap": 100000,
        "capacity": {"engineers": 5},
        "demands": {ids["A"]: {"engineers": 5}, ids["D"]: {"engineers": 1}},
        "dependencies": [{"request_id": ids["C"], "requires": ids["D"]}],
    }
    answer = await intake.client.post(url, json=constrained, headers=desk.pam)
    assert answer.status_code == 201, answer.text
    expected, best = brute_force(100000, {"C": "D"}, {"A": 5, "D": 1}, 5)
    assert [names[i] for i in answer.json()["selected"]] == ["B", "D"]  # ranked by score
    assert {"B", "D"} == expected
    assert answer.json()["total_score"] == pytest.approx(best)

    too_much = await intake.client.post(
        url, json={"budget_cap": 100000, "must_include": [ids["A"], ids["B"]]}, headers=desk.pam
    )
    assert refused_fields(too_much) == ["body.must_include"]
    assert too_much.json()["errors"][0]["reason"].startswith("must_include costs 110,000")
    draft = await desk.request("E", submit=False)
    not_a_candidate = await intake.client.post(
        url, json={"budget_cap": 100000, "must_include": [draft]}, headers=desk.pam
    )
    assert refused_fields(not_a_candidate) == ["body.must_include"]
    assert draft in not_a_candidate.json()["errors"][0]["reason"]
    no_envelope = await intake.client.post(url, json={}, headers=desk.pam)
    assert refused_fields(no_envelope) == ["body.budget_cap"]

    scenario_url = f"{url}/{answer.json()['id']}"
    committed = await intake.client.post(f"{scenario_url}/commit", headers=desk.pam)
    assert committed.status_code == 200, committed.text
    assert committed.json()["status"] == "committed"
    assert committed.json()["committed_by"] == "pam@example.com"
    for name in ("B", "D"):
        request = await intake.client.get(f"/v1/requests/{ids[name]}", headers=desk.pam)
        assert request.json()["status"] == "pmo_decision"
        assert request.json()["history"][-1]["action"] == "commit"
    left = await intake.client.get(f"/v1/requests/{ids['A']}", headers=desk.pam)
    assert left.json()["status"] == "portfolio_review"
    again = await intake.client.post(f"{scenario_url}/commit", headers=desk.pam)
    assert again.status_code == 409
    events = await intake.outbox_events()
    assert [(topic, event["data"].get("request_id")) for topic, event in events[-3:]] == [
        ("intake.request.recommended", ids["B"]),
        ("intake.request.recommended", ids["D"]),
        ("intake.scenario.committed", None),
    ]
    assert events[-1][1]["data"]["selected"] == [ids["B"], ids["D"]]
    listed = await intake.client.get(url, headers=desk.pam)
    assert [s["status"] for s in listed.json()["items"]] == ["committed", "proposed"]
    assert (await intake.client.get(scenario_url, headers=desk.admin)).json() == committed.json()
    trail = await intake.client.get(
        "/v1/audit", params={"resource_id": answer.json()["id"]}, headers=desk.admin
    )
    records = trail.json()["items"]
    assert [r["action"] for r in records] == ["scenario.committed", "scenario.created"]
    assert records[0]["changes"]["status"] == {"before": "proposed", "after": "committed"}


async def test_a_scenario_takes_its_budget_from_the_envelope(intake: Intake) -> None:
    desk = await desk_with(intake, PLAIN_SCORE)
    for name in ("A", "B"):
        score, cost = REQUESTS[name]
        await desk.score(await desk.request(name, budget=cost), {"score": score})
    year = datetime.now(UTC).year
    envelope = f"/v1/portfolios/{desk.portfolio_id}/budgets/{year}"
    await intake.client.put(envelope, json={"amount": 70000}, headers=desk.pam)
    url = f"/v1/portfolios/{desk.portfolio_id}/scenarios"
    answer = await intake.client.post(url, json={}, headers=desk.pam)
    assert answer.status_code == 201, answer.text
    assert answer.json()["budget_cap"] == 70000
    assert answer.json()["total_score"] == 62
    viewer = intake.auth_header("viewer", "vic@example.com")
    assert (await intake.client.post(url, json={}, headers=viewer)).status_code == 403


async def test_a_commit_moves_no_request_that_left_the_portfolio(intake: Intake) -> None:
    desk = await desk_with(intake, PLAIN_SCORE)
    request_id = await desk.request("A", budget=50000)
    assert (await desk.score(request_id, {"score": 60})).status_code == 200
    url = f"/v1/portfolios/{desk.portfolio_id}/scenarios"
    scenario = await intake.client.post(url, json={"budget_cap": 100000}, headers=desk.pam)
    assert scenario.json()["selected"] == [request_id]
    other = await intake.client.post(
        "/v1/portfolios",
        json={"name": "Other", "owner": "olga@example.com", "scoring_model_id": desk.model_id},
        headers=desk.admin,
    )
    request_url = f"/v1/requests/{request_id}"
    returned = await intake.client.post(
        f"{request_url}/return", json={"comment": "Belongs elsewhere"}, headers=desk.pam
    )
    assert returned.status_code == 200, returned.text
    project = {**intake.request_body()["project"], "portfolio_id": other.json()["id"]}
    patched = await intake.client.patch(request_url, json={"project": project}, headers=desk.admin)
    assert patched.status_code == 200, patched.text
    await intake.client.post(f"{request_url}/submit", headers=desk.admin)

    commit = await intake.client.post(f"{url}/{scenario.json()['id']}/commit", headers=desk.pam)
    assert commit.status_code == 409, commit.text
    assert "the scenario is out of date" in commit.json()["detail"]
    moved = await intake.client.get(request_url, headers=desk.admin)
    assert moved.json()["status"] == "submitted"
    assert moved.json()["history"][-1]["action"] == "submit"
    stored = await intake.client.get(f"{url}/{scenario.json()['id']}", headers=desk.pam)
    assert stored.json()["status"] == "proposed"


async def test_a_reviewer_is_one_whatever_the_case_of_their_e_mail(intake: Intake) -> None:
    desk = await desk_with(intake, PLAIN_SCORE)
    request_id = await desk.request("A")
    shouting = intake.auth_header("portfolio_manager", "PAM@example.com")
    assert (await desk.score(request_id, {"score": 20}, **shouting)).status_code == 200
    answer = await desk.score(request_id, {"score": 80})
    assert answer.json()["score"] == pytest.approx(80)  # pam@ replaced PAM@'s 20, no mean


async def test_an_approval_of_a_decided_request_answers_409_before_checking_its_proposal(
    intake: Intake,
) -> None:
    request_id = await intake.new_request(submit=True)
    url = f"/v1/requests/{request_id}"
    rejected = await intake.client.post(
        f"{url}/reject", json={"reason": "Out of scope"}, headers=intake.auth_header()
    )
    assert rejected.status_code == 200, rejected.text
    # A proposal no longer valid under today's rules (as stored before they tightened).
    async with intake.sessions() as session:
        await session.execute(
            update(project_requests)
            .where(project_requests.c.id == request_id)
            .values(proposal={"name": ""})
        )
        await session.commit()
    approve = await intake.client.post(f"{url}/approve", headers=intake.auth_header())
    assert approve.status_code == 409, approve.text


@pytest.fixture
def solver_slots_taken() -> Iterator[None]:
    """Every solver slot of the process held, as by concurrent solves."""
    for _ in range(scenario_commands.MAX_CONCURRENT_SOLVES):
        assert scenario_commands.SOLVER_SLOTS.acquire(blocking=False)
    yield
    for _ in range(scenario_commands.MAX_CONCURRENT_SOLVES):
        scenario_commands.SOLVER_SLOTS.release()


@pytest.mark.usefixtures("solver_slots_taken")
async def test_a_scenario_answers_503_while_every_solver_slot_is_taken(intake: Intake) -> None:
    desk = await desk_with(intake, PLAIN_SCORE)
    url = f"/v1/portfolios/{desk.portfolio_id}/scenarios"

    answer = await intake.client.post(url, json={"budget_cap": 1000}, headers=desk.pam)

    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["Retry-After"] == str(scenario_commands.SOLVE_RETRY_AFTER_SECONDS)
    listed = await intake.client.get(url, headers=desk.pam)
    assert listed.json()["items"] == []


async def test_a_scenario_is_solved_with_no_transaction_open(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await desk_with(intake, PLAIN_SCORE)
    await desk.score(await desk.request("A", budget=50000), {"score": 60})
    sessions: list[AsyncSession] = []
    open_while_solving: list[bool] = []
    read_candidates = request_repository.scored_requests

    async def reading(session: AsyncSession, **query: Any) -> Any:
        sessions.append(session)
        return await read_candidates(session, **query)

    def solving(*args: Any) -> SelectionReport:
        open_while_solving.append(sessions[0].in_transaction())
        return selection_report(*args)

    monkeypatch.setattr(request_repository, "scored_requests", reading)
    monkeypatch.setattr(scenario_commands, "selection_report", solving)
    url = f"/v1/portfolios/{desk.portfolio_id}/scenarios"

    answer = await intake.client.post(url, json={"budget_cap": 100000}, headers=desk.pam)

    assert answer.status_code == 201, answer.text
    assert open_while_solving == [False]
    assert answer.json()["optimal"] is True


async def test_a_retried_scenario_replays_its_answer_without_solving_again(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await desk_with(intake, PLAIN_SCORE)
    await desk.score(await desk.request("A", budget=50000), {"score": 60})
    solves: list[int] = []

    def solving(*args: Any) -> SelectionReport:
        solves.append(1)
        return selection_report(*args)

    monkeypatch.setattr(scenario_commands, "selection_report", solving)
    url = f"/v1/portfolios/{desk.portfolio_id}/scenarios"
    keyed = {**desk.pam, "Idempotency-Key": "scenario-1"}

    first = await intake.client.post(url, json={"budget_cap": 100000}, headers=keyed)
    retry = await intake.client.post(url, json={"budget_cap": 100000}, headers=keyed)

    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert solves == [1]


async def test_two_first_puts_of_an_envelope_at_once_both_succeed(desk: Desk) -> None:
    client, url = desk.intake.client, f"/v1/portfolios/{desk.portfolio_id}/budgets/2028"

    answers = await asyncio.gather(
        *(client.put(url, json={"amount": amount}, headers=desk.pam) for amount in (10, 20))
    )

    assert [answer.status_code for answer in answers] == [200, 200], [a.text for a in answers]
    assert (await client.get(url, headers=desk.pam)).json()["amount"] in (10, 20)


async def test_a_scoring_model_name_taken_concurrently_answers_409(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The other request's model committed after this one checked the name: only the unique
    # index sees the clash.
    async def not_taken_yet(session: AsyncSession, **query: Any) -> bool:
        return False

    monkeypatch.setattr(scoring_model_repository, "name_taken", not_taken_yet)

    answer = await desk.intake.client.post(
        "/v1/scoring-models", json={"name": "Growth", "criteria": CRITERIA}, headers=desk.admin
    )

    assert answer.status_code == 409, answer.text
    assert answer.json()["errors"] == [{"field": "body.name", "reason": "already used"}]


async def test_a_demand_of_a_category_with_no_capacity_is_refused(intake: Intake) -> None:
    desk = await desk_with(intake, PLAIN_SCORE)
    request_id = await desk.request("A", budget=50000)
    url = f"/v1/portfolios/{desk.portfolio_id}/scenarios"
    body = {"budget_cap": 100000, "capacity": {"engineers": 5}}

    mistyped = {request_id: {"engineers": 2, "enginers": 2}}
    answer = await intake.client.post(url, json={**body, "demands": mistyped}, headers=desk.pam)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {
            "field": f"body.demands.{request_id}.enginers",
            "reason": "no capacity is set for this category",
        }
    ]

    many = {request_id: {f"c{n}": 1 for n in range(MAX_CATEGORIES + 1)}}
    answer = await intake.client.post(url, json={**body, "demands": many}, headers=desk.pam)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [f"body.demands.{request_id}"]
