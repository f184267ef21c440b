"""Every error answers application/problem+json: validation, 404, 401, 403 and crashes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from pmo_common.auth.tokens import TokenVerifier, mint_dev_token
from pmo_common.problems import (
    PROBLEM_MEDIA_TYPE,
    ProblemException,
    field_problem,
    install_problem_handlers,
    invalid_fields,
    not_found,
    raise_if_invalid,
)
from pmo_common.web.pagination import PageDep, make_page
from pmo_stack.testkit.in_process import asgi_client
from pmo_stack.testkit.subject_routes import subject_routes
from pydantic import BaseModel, ConfigDict, Field

SECRET = "problems-test-secret-0123456789abcdef"


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    budget: float = Field(ge=0)


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = TokenVerifier(secret=SECRET)

    @app.post("/items", status_code=201)
    async def create_item(item: ItemIn) -> ItemIn:
        if item.name == "taken":
            raise field_problem("name", "already used by another item", status=409)
        return item

    @app.get("/items/{item_id}")
    async def get_item(item_id: str) -> dict[str, str]:
        raise not_found("item", item_id, "List items with GET /items.")

    @app.get("/items")
    async def list_items(page: PageDep) -> dict[str, object]:
        items = list(range(7))[page.offset : page.offset + page.limit + 1]
        return make_page(items, page).model_dump()

    app.include_router(subject_routes("/me", "/admin"))  # /admin: PMO admins only

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("secret internals must not leak")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(build_app(), raise_app_exceptions=False) as client:
        yield client


def bearer(*roles: str) -> dict[str, str]:
    token = mint_dev_token(secret=SECRET, sub="u-1", email="u1@example.org", roles=roles)
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= body.keys()
    return body


async def test_a_validation_error_names_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "", "budget": -1, "colour": "red"})
    body = assert_problem(response, 422)
    fields = {error["field"] for error in body["errors"]}  # type: ignore[attr-defined]
    assert fields == {"body.name", "body.budget", "body.colour"}
    assert "body.budget" in str(body["detail"])


async def test_a_missing_field_is_named(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/items", json={"name": "x"}), 422)
    assert body["errors"] == [{"field": "body.budget", "reason": "Field required"}]


async def test_a_field_problem_keeps_its_status_and_field(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/items", json={"name": "taken", "budget": 1}), 409)
    assert body["errors"] == [{"field": "name", "reason": "already used by another item"}]


async def test_not_found_names_what_was_looked_for(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/items/i-42"), 404)
    assert body["title"] == "Item not found"
    assert body["detail"] == "No item with id i-42 exists. List items with GET /items."
    assert body["instance"] == "/items/i-42"


async def test_an_unknown_route_is_a_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/nowhere"), 404)


async def test_a_wrong_method_is_a_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.delete("/items"), 405)


async def test_no_token_is_401_with_a_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/me")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_an_invalid_token_is_401(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/me", headers={"Authorization": "Bearer x.y.z"}), 401)
    assert "not valid" in str(body["detail"])


async def test_a_valid_token_passes(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers=bearer("viewer"))
    assert response.status_code == 200
    assert response.json() == {"subject": "u-1"}


async def test_a_missing_role_is_403(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/admin", headers=bearer("project_manager")), 403)
    assert "pmo_admin" in str(body["detail"])


async def test_the_required_role_passes(client: httpx.AsyncClient) -> None:
    assert (await client.post("/admin", headers=bearer("pmo_admin"))).status_code == 200


async def test_a_crash_is_a_500_problem_without_internals(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/crash"), 500)
    assert "secret internals" not in str(body)


async def test_pages_are_capped_and_linked(client: httpx.AsyncClient) -> None:
    first = (await client.get("/items", params={"limit": 5})).json()
    assert first == {"items": [0, 1, 2, 3, 4], "limit": 5, "offset": 0, "next_offset": 5}
    last = (await client.get("/items", params={"limit": 5, "offset": 5})).json()
    assert last == {"items": [5, 6], "limit": 5, "offset": 5, "next_offset": None}
    body = assert_problem(await client.get("/items", params={"limit": 201}), 422)
    assert body["errors"][0]["field"] == "query.limit"  # type: ignore[index]


@dataclass(frozen=True)
class Broken:
    """A domain's broken rule, as any service states it."""

    field: str
    reason: str


def test_broken_rules_become_one_problem_naming_each_field() -> None:
    issues = [Broken("end_date", "must be after start_date"), Broken("milestones.0", "too late")]
    problem = invalid_fields(issues, title="Invalid project")
    assert (problem.status, problem.title) == (422, "Invalid project")
    assert problem.errors == [
        {"field": "body.end_date", "reason": "must be after start_date"},
        {"field": "body.milestones.0", "reason": "too late"},
    ]
    assert problem.detail == "body.end_date: must be after start_date; body.milestones.0: too late"


def test_the_detail_may_show_only_the_first_issues_and_fields_may_go_unprefixed() -> None:
    issues = [Broken(f"f{i}", "bad") for i in range(7)]
    problem = invalid_fields(issues, location=None, shown=2)
    assert problem.detail == "f0: bad; f1: bad"
    assert [error["field"] for error in problem.errors or []] == [f"f{i}" for i in range(7)]


def test_raise_if_invalid_raises_only_when_a_rule_is_broken() -> None:
    raise_if_invalid([])
    with pytest.raises(ProblemException) as raised:
        raise_if_invalid([Broken("ends_at", "must be in the future")], location=None)
    assert raised.value.errors == [{"field": "ends_at", "reason": "must be in the future"}]
