"""Intake's audit trail (docs/adr/0027): every change made through the API leaves one record of
who (the token's subject, e-mail and roles), what (action, resource, each changed field before
and after) and which request (its correlation id), in the transaction of the change; PMO
admins read it at GET /v1/audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from pmo_common.problems import ProblemException
from pmo_common.settings import DEVELOPMENT_JWT_SECRET
from pmo_intake.handlers import project_commands
from pmo_stack.testkit.tokens import TokenFactory

if TYPE_CHECKING:
    from conftest import Intake

ADMIN_EMAIL = "pmo@example.com"  # intake.auth_header()'s e-mail
# Another PMO admin, whose token's subject is not her e-mail (as an identity provider's is not).
PAM = TokenFactory(DEVELOPMENT_JWT_SECRET).headers("pmo_admin", "pam@x.io", sub="idp|pam")


async def audit(intake: Intake, **filters: str) -> list[dict[str, Any]]:
    response = await intake.client.get("/v1/audit", params=filters, headers=intake.auth_header())
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def with_correlation(intake: Intake, correlation_id: str) -> dict[str, str]:
    """A PMO admin's headers, with the request's correlation id."""
    return {**intake.auth_header(), "X-Correlation-ID": correlation_id}


async def test_create_patch_and_close_leave_three_records(intake: Intake) -> None:
    created = await intake.client.post(
        "/v1/projects",
        json=intake.project_body(),
        headers=with_correlation(intake, "corr-create"),
    )
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    url = f"/v1/projects/{project_id}"
    patched = await intake.client.patch(
        url,
        json={"name": "Apollo II", "sponsor": None},
        headers={**PAM, "X-Correlation-ID": "corr-patch"},
    )
    assert patched.status_code == 200, patched.text
    closed = await intake.client.post(
        f"{url}/close", json={"reason": "Done"}, headers=with_correlation(intake, "corr-close")
    )
    assert closed.status_code == 200, closed.text

    records = await audit(intake, resource_id=project_id)

    assert [r["action"] for r in records] == [
        "project.closed",
        "project.updated",
        "project.created",
    ]
    closing, update, creation = records
    assert {r["resource_type"] for r in records} == {"project"}
    assert [r["correlation_id"] for r in records] == ["corr-close", "corr-patch", "corr-create"]
    assert creation["actor"]["email"] == ADMIN_EMAIL
    assert creation["actor"]["roles"] == ["pmo_admin"]
    assert creation["actor"]["subject"] == ADMIN_EMAIL  # the development token's subject
    assert creation["changes"]["name"] == {"before": None, "after": "Apollo"}
    assert creation["changes"]["budget"] == {"before": None, "after": 100000}
    assert update["actor"] == {
        "subject": "idp|pam",
        "email": "pam@x.io",
        "roles": ["pmo_admin"],
    }
    # Field by field, only what changed (and the version and time that follow a change).
    assert update["changes"]["name"] == {"before": "Apollo", "after": "Apollo II"}
    assert update["changes"]["sponsor"] == {"before": "grace@example.com", "after": None}
    assert set(update["changes"]) == {"name", "sponsor", "version", "updated_at"}
    assert closing["changes"]["status"] == {"before": "active", "after": "closed"}
    assert closing["changes"]["close_reason"] == {"before": None, "after": "Done"}
    assert closing["actor"]["email"] == ADMIN_EMAIL


async def test_the_trail_is_filtered_by_resource_actor_and_time(intake: Intake) -> None:
    start = datetime.now(UTC)
    first = await intake.new_project()
    second = (
        await intake.client.post("/v1/projects", json=intake.project_body(), headers=PAM)
    ).json()
    middle = datetime.now(UTC)
    await intake.client.patch(
        f"/v1/projects/{first['id']}", json={"name": "Later"}, headers=intake.auth_header()
    )

    assert len(await audit(intake, resource_id=first["id"])) == 2
    by_pam = await audit(intake, actor="PAM@x.io")  # e-mails ignore case
    assert [(r["action"], r["resource_id"]) for r in by_pam] == [("project.created", second["id"])]
    by_subject = await audit(intake, actor="idp|pam")
    assert by_subject == by_pam
    since = await audit(intake, since=middle.isoformat())
    assert [r["action"] for r in since] == ["project.updated"]
    until = await audit(intake, since=start.isoformat(), until=middle.isoformat())
    assert {r["resource_id"] for r in until} == {first["id"], second["id"]}
    assert await audit(intake, until=(start - timedelta(seconds=1)).isoformat()) == []
    paged = await intake.client.get("/v1/audit", params={"limit": 1}, headers=intake.auth_header())
    assert len(paged.json()["items"]) == 1
    assert paged.json()["next_offset"] == 1


@pytest.mark.parametrize("role", ["portfolio_manager", "project_manager", "viewer"])
async def test_only_pmo_admins_read_the_trail(intake: Intake, role: str) -> None:
    await intake.new_project()
    response = await intake.client.get("/v1/audit", headers=intake.auth_header(role, "x@y.io"))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_change_that_fails_leaves_no_record(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = await intake.new_project()

    class BrokenOutbox:
        async def enqueue(self, *_args: Any, **_kwargs: Any) -> None:
            # Fails after the change and its audit record were written, in their transaction.
            raise ProblemException(503, "Unavailable", "The outbox is unavailable.")

    monkeypatch.setattr(project_commands, "outbox", BrokenOutbox())
    refused = await intake.client.patch(
        f"/v1/projects/{project['id']}", json={"name": "Never"}, headers=intake.auth_header()
    )
    assert refused.status_code == 503, refused.text
    monkeypatch.undo()

    assert [r["action"] for r in await audit(intake, resource_id=project["id"])] == [
        "project.created"
    ]
    read = await intake.client.get(f"/v1/projects/{project['id']}", headers=intake.auth_header())
    assert read.json()["name"] == "Apollo"


async def test_refused_writes_leave_no_record(intake: Intake) -> None:
    project = await intake.new_project()
    url = f"/v1/projects/{project['id']}"
    stale = await intake.client.patch(
        url, json={"name": "X"}, headers={**intake.auth_header(), "If-Match": '"stale"'}
    )
    assert stale.status_code == 412
    invalid = await intake.client.patch(
        url, json={"end_date": "2020-01-01"}, headers=intake.auth_header()
    )
    assert invalid.status_code == 422
    assert len(await audit(intake, resource_id=project["id"])) == 1


async def test_every_kind_of_change_is_recorded(intake: Intake) -> None:
    admin = intake.auth_header()
    ada = intake.auth_header("project_manager", "ada@example.com")
    project = await intake.new_project()
    patched = await intake.client.patch(
        f"/v1/projects/{project['id']}", json={"budget": 110000}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    filed = await intake.client.post(
        f"/v1/projects/{project['id']}/change-requests",
        json={"changes": {"budget": 150000}, "justification": "More scope"},
        headers=ada,
    )
    cr_url = f"/v1/projects/{project['id']}/change-requests/{filed.json()['id']}"
    assert (await intake.client.post(f"{cr_url}/approve", headers=admin)).status_code == 200
    rejected_cr = await intake.client.post(
        f"/v1/projects/{project['id']}/change-requests",
        json={"changes": {"budget": 90000}, "justification": "Less scope"},
        headers=ada,
    )
    reject_url = f"/v1/projects/{project['id']}/change-requests/{rejected_cr.json()['id']}"
    rejection = await intake.client.post(
        f"{reject_url}/reject", json={"reason": "No"}, headers=admin
    )
    assert rejection.status_code == 200, rejection.text
    request_id = await intake.new_request(ada, submit=True)
    await intake.client.patch(f"/v1/requests/{request_id}", json={}, headers=ada)
    approved = await intake.client.post(f"/v1/requests/{request_id}/approve", headers=admin)
    assert approved.status_code == 200, approved.text
    model = await intake.client.post(
        "/v1/scoring-models",
        json={"name": "M", "criteria": [{"key": "v", "name": "Value", "weight": 1}]},
        headers=admin,
    )
    await intake.client.put(
        f"/v1/scoring-models/{model.json()['id']}",
        json={"name": "M2", "criteria": [{"key": "v", "name": "Value", "weight": 2}]},
        headers=admin,
    )
    portfolio = await intake.client.post(
        "/v1/portfolios", json={"name": "P", "owner": "olga@example.com"}, headers=admin
    )
    await intake.client.patch(
        f"/v1/portfolios/{portfolio.json()['id']}", json={"description": "D"}, headers=admin
    )
    program = await intake.client.post(
        "/v1/programs", json={"name": "G", "owner": "kate@example.com"}, headers=admin
    )
    await intake.client.patch(
        f"/v1/programs/{program.json()['id']}", json={"description": "D"}, headers=admin
    )

    actions = {r["action"] for r in await audit(intake, limit="200")}

    assert {
        "project.created",
        "project.updated",
        "baseline.created",
        "change_request.created",
        "change_request.approved",
        "change_request.rejected",
        "request.created",
        "request.submitted",
        "request.approved",
        "scoring_model.created",
        "scoring_model.updated",
        "portfolio.created",
        "portfolio.updated",
        "program.created",
        "program.updated",
    } <= actions
    baselines = await audit(intake, resource_id=project["id"])
    versions = [r for r in baselines if r["action"] == "baseline.created"]
    assert [v["changes"]["version"] for v in versions] == [
        {"before": 2, "after": 3},
        {"before": 1, "after": 2},
    ]
    assert versions[0]["changes"]["budget"] == {"before": 110000, "after": 150000}
    assert versions[0]["changes"]["reason"] == {"before": None, "after": "More scope"}
