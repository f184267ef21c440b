"""NUL characters never reach the database: 422 naming the parameter or field instead."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query
from pmo_common.web.inputs import StrictInput
from pmo_stack.testkit.in_process import asgi_client
from pydantic import ValidationError

router = APIRouter()
seen: list[str] = []


class Step(StrictInput):
    """A nested body."""

    name: str


class Note(StrictInput):
    """A body with a list of strings and a list of nested bodies, like a project's."""

    title: str
    tags: list[str] = []
    steps: list[Step] = []


@router.get("/v1/things/{thing_id}")
async def read_thing(thing_id: str, kind: Annotated[str | None, Query()] = None) -> dict[str, Any]:
    seen.append(thing_id)
    return {"id": thing_id, "kind": kind}


@router.post("/v1/notes")
async def add_note(body: Note) -> dict[str, Any]:
    return body.model_dump()


@pytest.fixture
async def client(
    build_service_app: Callable[..., FastAPI], bearer: Callable[..., dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(build_service_app(router), headers=bearer("pmo_admin")) as http:
        yield http


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/v1/things/t-1?kind=a%00b", "query.kind"),
        ("/v1/things/t-1?kind=ok&other=%00", "query.other"),
        ("/v1/things/t%00-1", "path"),
    ],
)
async def test_a_nul_in_the_url_is_refused_before_the_route(
    client: httpx.AsyncClient, url: str, field: str
) -> None:
    seen.clear()
    answer = await client.get(url)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == [
        {"field": field, "reason": "must not contain NUL characters (U+0000)"}
    ]
    assert seen == []


async def test_a_clean_url_passes(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/things/t-1?kind=%C3%A9t%C3%A9")
    assert answer.json() == {"id": "t-1", "kind": "été"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "a\u0000"}, "body.title"),
        ({"title": "ok", "tags": ["x", "\u0000"]}, "body.tags"),
        ({"title": "ok", "steps": [{"name": "a"}, {"name": "\u0000"}]}, "body.steps.1.name"),
    ],
)
async def test_a_nul_in_a_body_names_its_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    answer = await client.post("/v1/notes", json=body)
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == [field]


def test_strict_input_accepts_text_without_nul() -> None:
    assert Note.model_validate({"title": "Zoë", "tags": ["ü"]}).tags == ["ü"]
    with pytest.raises(ValidationError):
        Note.model_validate({"title": "x", "tags": ["\x00"]})
