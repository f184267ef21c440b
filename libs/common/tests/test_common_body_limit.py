"""Bodies above PMO_MAX_BODY_BYTES answer 413 problem+json before anything parses them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pmo_common.problems import PROBLEM_MEDIA_TYPE
from pmo_common.settings import ServiceSettings
from pmo_common.web.body_limit import describe_size
from pmo_stack.testkit.in_process import asgi_client
from pydantic import BaseModel, ValidationError
from starlette.types import Message

LIMIT = 100
JSON = {"content-type": "application/json"}
AppBuilder = Callable[..., FastAPI]


class NoteIn(BaseModel):
    text: str


class Calls:
    count = 0


def notes_router(calls: Calls) -> APIRouter:
    router = APIRouter()

    @router.post("/notes", status_code=201)
    async def create_note(note: NoteIn) -> dict[str, int]:
        calls.count += 1
        return {"length": len(note.text)}

    return router


def body_of_size(size: int) -> bytes:
    """A valid NoteIn body of exactly `size` bytes."""
    frame = len(json.dumps({"text": ""}).encode())
    return json.dumps({"text": "x" * (size - frame)}).encode()


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def app(build_service_app: AppBuilder, calls: Calls) -> FastAPI:
    return build_service_app(notes_router(calls), max_body_bytes=LIMIT)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as client:
        yield client


def assert_too_large(response: httpx.Response, limit: int) -> dict[str, Any]:
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert (body["status"], body["title"]) == (413, "Content Too Large")
    assert f"at most {describe_size(limit)}" in body["detail"]
    assert body["instance"] == "/notes"
    return body


def test_the_limit_defaults_to_one_mebibyte_and_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ServiceSettings().max_body_bytes == 1_048_576
    monkeypatch.setenv("PMO_MAX_BODY_BYTES", "2048")
    assert ServiceSettings().max_body_bytes == 2048
    monkeypatch.setenv("PMO_MAX_BODY_BYTES", "0")
    with pytest.raises(ValidationError):
        ServiceSettings()


def test_sizes_are_named_in_plain_words() -> None:
    assert describe_size(1_048_576) == "1048576 bytes (1 MiB)"
    assert describe_size(1536) == "1536 bytes (1.5 KiB)"
    assert describe_size(100) == "100 bytes"


async def test_a_body_within_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    body = body_of_size(LIMIT)
    assert len(body) == LIMIT
    response = await client.post("/notes", content=body, headers=JSON)
    assert response.status_code == 201


async def test_a_declared_length_above_the_limit_is_refused_at_once(
    client: httpx.AsyncClient, calls: Calls
) -> None:
    response = await client.post("/notes", content=body_of_size(LIMIT + 1), headers=JSON)
    assert_too_large(response, LIMIT)
    assert response.headers["connection"] == "close"
    assert calls.count == 0


async def test_a_declared_length_is_refused_without_reading_a_byte(
    build_service_app: AppBuilder, calls: Calls
) -> None:
    # The default limit, a 2 MiB Content-Length, and a receive() that must never be called.
    app = build_service_app(notes_router(calls))
    reads: list[str] = []
    sent: list[Message] = []

    async def receive() -> Message:
        reads.append("read")
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/notes",
        "raw_path": b"/notes",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"2097152")],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
        "state": {},
    }
    await app(scope, receive, send)
    assert reads == []
    assert calls.count == 0
    assert sent[0]["status"] == 413
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert "at most 1048576 bytes (1 MiB)" in body["detail"]


async def test_a_streamed_body_is_counted_and_reading_stops_past_the_limit(
    client: httpx.AsyncClient, calls: Calls
) -> None:
    payload = body_of_size(10 * 30)
    chunks = [payload[i : i + 30] for i in range(0, len(payload), 30)]
    yielded: list[int] = []

    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yielded.append(len(chunk))
            yield chunk

    response = await client.post("/notes", content=stream(), headers=JSON)
    assert_too_large(response, LIMIT)
    assert calls.count == 0
    # 4 chunks of 30 bytes pass the 100-byte limit: nothing after them is read.
    assert len(yielded) == 4 < len(chunks)


async def test_a_streamed_body_within_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    payload = body_of_size(LIMIT)

    async def stream() -> AsyncIterator[bytes]:
        for i in range(0, len(payload), 30):
            yield payload[i : i + 30]

    response = await client.post("/notes", content=stream(), headers=JSON)
    assert response.status_code == 201
