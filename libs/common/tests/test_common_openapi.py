"""The OpenAPI document lists every problem answer, and the answers sent match it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import httpx
import jsonschema
import pytest
from fastapi import APIRouter, FastAPI, Header, Query
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.problems import PROBLEM_MEDIA_TYPE, ProblemException, not_found
from pmo_common.web.openapi import problem_statuses
from pmo_stack.testkit.in_process import asgi_client
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exc as sa_exc

AppBuilder = Callable[..., FastAPI]
Bearer = Callable[..., dict[str, str]]
METHODS = {"get", "put", "post", "delete", "patch"}


class ThingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    size: int = Field(ge=0)


class ThingOut(BaseModel):
    id: str
    name: str


def things_router() -> APIRouter:
    router = APIRouter(prefix="/v1/things", tags=["things"])

    @router.post("", status_code=201)
    async def create_thing(thing: ThingIn, principal: CurrentPrincipal) -> ThingOut:
        if thing.name == "taken":
            raise ProblemException(409, "Conflict", "A thing with that name exists.")
        return ThingOut(id="t-1", name=thing.name)

    @router.get("")
    async def list_things(
        principal: CurrentPrincipal, limit: Annotated[int, Query(ge=1, le=50)] = 10
    ) -> list[ThingOut]:
        return []

    @router.get("/{thing_id}")
    async def get_thing(thing_id: str, principal: CurrentPrincipal) -> ThingOut:
        if thing_id == "db-down":
            raise sa_exc.OperationalError("SELECT", {}, Exception("connection refused"))
        raise not_found("thing", thing_id)

    @router.put("/{thing_id}")
    async def replace_thing(
        thing_id: str,
        thing: ThingIn,
        principal: CurrentPrincipal,
        if_match: Annotated[str | None, Header()] = None,
    ) -> ThingOut:
        if if_match != '"1"':
            raise ProblemException(412, "Precondition failed", "The thing has changed.")
        return ThingOut(id=thing_id, name=thing.name)

    @router.delete("/{thing_id}", status_code=204)
    async def delete_thing(thing_id: str, principal: CurrentPrincipal) -> None:
        return None

    return router


@pytest.fixture
def app(build_service_app: AppBuilder) -> FastAPI:
    return build_service_app(things_router(), max_body_bytes=200)


@pytest.fixture
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as client:
        yield client


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def statuses(operation: dict[str, Any]) -> set[int]:
    return {int(key) for key in operation["responses"]}


def test_every_operation_lists_its_problem_answers(document: dict[str, Any]) -> None:
    ops = operations(document)
    assert {path for path, _, _ in ops} >= {"/healthz", "/readyz", "/metrics", "/v1/things"}
    for path, method, operation in ops:
        found = statuses(operation)
        where = f"{method.upper()} {path}"
        assert {500, 503} <= found, where
        if path.startswith("/v1"):
            assert {401, 403} <= found, where
        if "{" in path:
            assert 404 in found, where
        if "requestBody" in operation:
            assert {400, 413} <= found, where
        if "requestBody" in operation or operation.get("parameters"):
            assert 422 in found, where
        if path.startswith("/v1") and method in {"post", "put", "patch", "delete"}:
            assert 409 in found, where
    things = document["paths"]["/v1/things/{thing_id}"]
    assert 412 in statuses(things["put"]) and 412 in statuses(things["delete"])
    assert 412 not in statuses(things["get"])
    assert 404 not in statuses(document["paths"]["/v1/things"]["get"])
    assert 413 not in statuses(document["paths"]["/v1/things"]["get"])
    assert statuses(document["paths"]["/healthz"]["get"]) == {200, 500, 503}


def test_every_problem_answer_is_problem_json_with_the_shared_schema(
    document: dict[str, Any],
) -> None:
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == {
                    PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, f"{method.upper()} {path} {status}"
                assert response["description"]
    schemas = document["components"]["schemas"]
    problem = schemas["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert set(problem["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "instance",
        "errors",
        "correlation_id",
    }
    assert schemas["ProblemFieldError"]["required"] == ["field", "reason"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert "HTTPValidationError" not in str(document)


def test_metrics_are_documented_as_prometheus_text(document: dict[str, Any]) -> None:
    ok = document["paths"]["/metrics"]["get"]["responses"]["200"]
    assert ok["content"] == {"text/plain": {"schema": {"type": "string"}}}


def test_success_answers_are_documented_as_fastapi_does(
    app: FastAPI, document: dict[str, Any]
) -> None:
    plain = FastAPI(title=app.title, version=app.version)
    plain.include_router(things_router())
    for path, item in plain.openapi()["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    assert document["paths"][path][method]["responses"][status] == response


def test_problem_statuses_of_a_route_without_auth_or_input() -> None:
    assert problem_statuses("/healthz", "get", {"responses": {}}) == [500, 503]
    assert problem_statuses("/v1/x/{id}", "patch", {"requestBody": {}}) == [
        400,
        401,
        403,
        404,
        409,
        412,
        413,
        422,
        500,
        503,
    ]


async def test_the_served_document_is_the_documented_one(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    assert (await client.get("/openapi.json")).json() == document


async def test_the_problems_sent_match_the_documented_schema(
    client: httpx.AsyncClient, document: dict[str, Any], bearer: Bearer
) -> None:
    root = {"$ref": "#/components/schemas/Problem", "components": document["components"]}
    allowed = set(document["components"]["schemas"]["Problem"]["properties"])
    admin = bearer("pmo_admin")
    answers = {
        401: await client.get("/v1/things"),
        403: await client.get("/v1/things", headers=bearer("intruder")),
        404: await client.get("/v1/things/t-9", headers=admin),
        409: await client.post("/v1/things", json={"name": "taken", "size": 1}, headers=admin),
        412: await client.put("/v1/things/t-1", json={"name": "a", "size": 1}, headers=admin),
        413: await client.post("/v1/things", json={"name": "x" * 300, "size": 1}, headers=admin),
        422: await client.post("/v1/things", json={"name": "", "size": -1, "x": 1}, headers=admin),
        400: await client.post(
            "/v1/things",
            content=b'{"name": "\xff"}',
            headers={**admin, "content-type": "application/json"},
        ),
        503: await client.get("/v1/things/db-down", headers=admin),
    }
    query_422 = await client.get("/v1/things", params={"limit": 0}, headers=admin)
    for status, response in [*answers.items(), (422, query_422)]:
        assert response.status_code == status
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        body = response.json()
        jsonschema.validate(body, root)
        assert set(body) <= allowed, f"{status}: undocumented members {set(body) - allowed}"
        documented = statuses(_operation_of(document, response.request))
        assert status in documented, f"{response.request.method} {response.request.url.path}"
    fields = {error["field"] for error in answers[422].json()["errors"]}
    assert fields == {"body.name", "body.size", "body.x"}


def _operation_of(document: dict[str, Any], request: httpx.Request) -> dict[str, Any]:
    path = request.url.path
    template = "/v1/things/{thing_id}" if path.startswith("/v1/things/") else path
    operation: dict[str, Any] = document["paths"][template][request.method.lower()]
    return operation
