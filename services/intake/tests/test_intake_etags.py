"""No lost updates (docs/adr/0027): every intake resource that can change answers an ETag (the
digest of what the caller reads), and a write with If-Match goes ahead only when it matches the
resource as it now is; a stale or weak tag answers 412 and changes nothing. A write without
If-Match is accepted. The race of two writers is in test_intake_concurrent_writes.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Intake

CRITERIA = [{"key": "value", "name": "Business value", "weight": 1}]
STALE = '"0123456789abcdef0123456789abcdef"'


@dataclass(frozen=True)
class Write:
    """A write on one resource: where it is read, and the change that is tried on it."""

    read_url: str
    method: str
    url: str
    body: dict[str, Any] | None = None
    headers: dict[str, str] | None = None  # the writer, a PMO admin unless given


async def created(intake: Intake, url: str, body: dict[str, Any]) -> str:
    """POST a resource as a PMO admin; its id (and its answer carries an ETag)."""
    response = await intake.client.post(url, json=body, headers=intake.auth_header())
    assert response.status_code == 201, response.text
    assert response.headers["ETag"].startswith('"')
    return str(response.json()["id"])


async def patch_project(intake: Intake) -> Write:
    project = await intake.new_project()
    url = f"/v1/projects/{project['id']}"
    return Write(url, "PATCH", url, {"name": "Apollo II", "budget": 120000})


async def close_project(intake: Intake) -> Write:
    project = await intake.new_project()
    url = f"/v1/projects/{project['id']}"
    return Write(url, "POST", f"{url}/close", {"reason": "Delivered"})


async def patch_request(intake: Intake) -> Write:
    url = f"/v1/requests/{await intake.new_request()}"
    return Write(url, "PATCH", url, {"title": "New CRM, phase 1"})


def request_action(
    action: str, body: dict[str, Any] | None = None, *, submitted: bool = True
) -> Callable[[Intake], Awaitable[Write]]:
    """How to prepare `POST /v1/requests/{id}/<action>` on a new (submitted) request."""

    async def prepare(intake: Intake) -> Write:
        url = f"/v1/requests/{await intake.new_request(submit=submitted)}"
        return Write(url, "POST", f"{url}/{action}", body)

    prepare.__name__ = f"{action}_request"
    return prepare


async def score_request(intake: Intake) -> Write:
    model_id = await created(intake, "/v1/scoring-models", {"name": "M", "criteria": CRITERIA})
    portfolio = {"name": "Growth", "owner": "olga@example.com", "scoring_model_id": model_id}
    portfolio_id = await created(intake, "/v1/portfolios", portfolio)
    proposal = intake.project_body(portfolio_id=portfolio_id)
    url = f"/v1/requests/{await intake.new_request(submit=True, project=proposal)}"
    return Write(url, "PUT", f"{url}/scores", {"criteria": {"value": 4}})


async def approve_change_request(intake: Intake) -> Write:
    project = await intake.new_project()
    ada = intake.auth_header("project_manager", "ada@example.com")
    filed = await intake.client.post(
        f"/v1/projects/{project['id']}/change-requests",
        json={"changes": {"budget": 150000}, "justification": "More scope"},
        headers=ada,
    )
    assert filed.status_code == 201, filed.text
    assert filed.headers["ETag"].startswith('"')
    url = f"/v1/projects/{project['id']}/change-requests/{filed.json()['id']}"
    return Write(url, "POST", f"{url}/approve")


async def reject_change_request(intake: Intake) -> Write:
    approve = await approve_change_request(intake)
    return Write(approve.read_url, "POST", f"{approve.read_url}/reject", {"reason": "No money"})


async def patch_portfolio(intake: Intake) -> Write:
    portfolio = {"name": "Growth", "owner": "olga@example.com"}
    url = f"/v1/portfolios/{await created(intake, '/v1/portfolios', portfolio)}"
    return Write(url, "PATCH", url, {"description": "Where we grow"})


async def patch_program(intake: Intake) -> Write:
    program = {"name": "Warehouses", "owner": "kate@example.com"}
    url = f"/v1/programs/{await created(intake, '/v1/programs', program)}"
    return Write(url, "PATCH", url, {"description": "Three regional warehouses"})


async def revise_scoring_model(intake: Intake) -> Write:
    model = {"name": "Growth", "criteria": CRITERIA}
    url = f"/v1/scoring-models/{await created(intake, '/v1/scoring-models', model)}"
    return Write(url, "PUT", url, {"name": "Growth", "criteria": [{**CRITERIA[0], "weight": 2}]})


WRITES: list[Callable[[Intake], Awaitable[Write]]] = [
    patch_project,
    close_project,
    patch_request,
    request_action("submit", submitted=False),
    request_action("recommend", {"comment": "Worth it"}),
    request_action("approve"),
    request_action("reject", {"reason": "Out of scope"}),
    request_action("return", {"comment": "Cost it again"}),
    score_request,
    approve_change_request,
    reject_change_request,
    patch_portfolio,
    patch_program,
    revise_scoring_model,
]


async def read(intake: Intake, url: str) -> httpx.Response:
    response = await intake.client.get(url, headers=intake.auth_header())
    assert response.status_code == 200, response.text
    assert response.headers["ETag"].startswith('"'), response.headers
    return response


async def send(intake: Intake, write: Write, if_match: str | None) -> httpx.Response:
    headers = dict(write.headers or intake.auth_header())
    if if_match is not None:
        headers["If-Match"] = if_match
    return await intake.client.request(write.method, write.url, json=write.body, headers=headers)


def assert_precondition_failed(response: httpx.Response) -> None:
    assert response.status_code == 412, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 412
    assert problem["title"] == "Precondition failed"
    assert "ETag" in problem["detail"]


@pytest.mark.parametrize("prepare", WRITES, ids=[w.__name__ for w in WRITES])
async def test_a_stale_or_weak_tag_is_refused_and_the_current_one_writes(
    intake: Intake, prepare: Callable[[Intake], Awaitable[Write]]
) -> None:
    write = await prepare(intake)
    before = await read(intake, write.read_url)
    tag = before.headers["ETag"]
    events = await intake.outbox_events()

    for refused_tag in (STALE, f"W/{tag}", f"{STALE}, W/{tag}"):
        assert_precondition_failed(await send(intake, write, refused_tag))
    after_refusals = await read(intake, write.read_url)
    assert after_refusals.json() == before.json()
    assert after_refusals.headers["ETag"] == tag
    assert await intake.outbox_events() == events  # nothing was published either

    written = await send(intake, write, f"{STALE}, {tag}")
    assert written.status_code == 200, written.text
    now = await read(intake, write.read_url)
    assert now.headers["ETag"] != tag
    # A write answering the resource itself tags it as a read would.
    if written.json().get("id") == now.json().get("id"):
        assert written.headers["ETag"] == now.headers["ETag"]
    # The tag read before the write is stale now.
    assert_precondition_failed(await send(intake, write, tag))


@pytest.mark.parametrize("prepare", [patch_project, patch_request, revise_scoring_model])
@pytest.mark.parametrize("if_match", [None, "*"], ids=["no If-Match", "star"])
async def test_without_if_match_or_with_a_star_the_write_is_accepted(
    intake: Intake, prepare: Callable[[Intake], Awaitable[Write]], if_match: str | None
) -> None:
    write = await prepare(intake)
    tag = (await read(intake, write.read_url)).headers["ETag"]

    written = await send(intake, write, if_match)

    assert written.status_code == 200, written.text
    assert (await read(intake, write.read_url)).headers["ETag"] != tag


async def test_the_etag_of_a_creation_is_the_one_a_read_answers(intake: Intake) -> None:
    for url, body in (
        ("/v1/projects", intake.project_body()),
        ("/v1/requests", intake.request_body()),
        ("/v1/portfolios", {"name": "Growth", "owner": "olga@example.com"}),
        ("/v1/programs", {"name": "Warehouses", "owner": "kate@example.com"}),
        ("/v1/scoring-models", {"name": "Growth", "criteria": CRITERIA}),
    ):
        answer = await intake.client.post(url, json=body, headers=intake.auth_header())
        assert answer.status_code == 201, answer.text
        read_back = await read(intake, f"{url}/{answer.json()['id']}")
        assert read_back.json() == answer.json()
        assert answer.headers["ETag"] == read_back.headers["ETag"], url


async def test_if_match_on_an_unknown_project_is_404(intake: Intake) -> None:
    response = await intake.client.patch(
        "/v1/projects/00000000-0000-0000-0000-000000000000",
        json={"name": "Ghost"},
        headers={**intake.auth_header(), "If-Match": "*"},
    )
    assert response.status_code == 404, response.text


async def test_openapi_documents_if_match_on_the_writes(intake: Intake) -> None:
    paths = (await intake.client.get("/openapi.json")).json()["paths"]
    for path, method in (
        ("/v1/projects/{project_id}", "patch"),
        ("/v1/projects/{project_id}/close", "post"),
        ("/v1/requests/{request_id}/approve", "post"),
        ("/v1/projects/{project_id}/change-requests/{request_id}/approve", "post"),
        ("/v1/scoring-models/{model_id}", "put"),
        ("/v1/portfolios/{portfolio_id}", "patch"),
        ("/v1/programs/{program_id}", "patch"),
    ):
        operation = paths[path][method]
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert "If-Match" in headers, (method, path)
        assert "412" in operation["responses"], (method, path)
