"""Security headers on every answer, a fitting policy on the docs pages, no Server header."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_stack.services import SERVICES, ServiceProcess
from pmo_stack.testkit.in_process import asgi_client
from uvicorn.main import main as uvicorn_command_line

AppBuilder = Callable[..., FastAPI]
Bearer = Callable[..., dict[str, str]]


def things_router() -> APIRouter:
    router = APIRouter()

    @router.get("/v1/things")
    async def list_things(principal: CurrentPrincipal) -> dict[str, list[str]]:
        return {"items": []}

    return router


@pytest.fixture
async def client(build_service_app: AppBuilder) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(build_service_app(things_router())) as client:
        yield client


def policy(response: httpx.Response) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: sources}."""
    directives: dict[str, list[str]] = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def allows(directives: dict[str, list[str]], directive: str, url: str) -> bool:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    sources = directives.get(directive, directives.get("default-src", []))
    return origin in sources or (not parts.netloc and "'self'" in sources)


def inline_script_hashes(html: str) -> list[str]:
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    ]


def assert_page_assets_allowed(response: httpx.Response) -> dict[str, list[str]]:
    """Every script, stylesheet and icon the page names is allowed by its policy."""
    assert response.status_code == 200
    directives = policy(response)
    html = response.text
    for src in re.findall(r'<script src="([^"]+)"', html):
        assert allows(directives, "script-src", src), src
    for rel, href in re.findall(r'<link[^>]*rel="([^"]+)"[^>]*href="([^"]+)"', html):
        assert allows(directives, "style-src" if rel == "stylesheet" else "img-src", href), href
    for href in re.findall(r'<link[^>]*href="([^"]+)"[^>]*rel="stylesheet"', html):
        assert allows(directives, "style-src", href), href
    for inline in inline_script_hashes(html):
        assert inline in directives["script-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["connect-src"] == ["'self'"]  # the page fetches /openapi.json
    assert directives["frame-ancestors"] == ["'none'"]
    return directives


async def test_every_answer_says_nosniff_and_loads_nothing(client: httpx.AsyncClient) -> None:
    for response in (await client.get("/healthz"), await client.get("/nowhere")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert policy(response)["default-src"] == ["'none'"]


async def test_public_answers_without_credentials_may_be_cached(
    client: httpx.AsyncClient,
) -> None:
    assert "cache-control" not in (await client.get("/healthz")).headers


async def test_answers_to_authenticated_requests_are_not_stored(
    client: httpx.AsyncClient, bearer: Bearer
) -> None:
    response = await client.get("/healthz", headers=bearer("viewer"))
    assert response.headers["cache-control"] == "no-store"


async def test_every_v1_answer_is_not_stored(client: httpx.AsyncClient, bearer: Bearer) -> None:
    refused = await client.get("/v1/things")
    assert refused.status_code == 401
    assert refused.headers["cache-control"] == "no-store"
    listed = await client.get("/v1/things", headers=bearer("viewer"))
    assert listed.status_code == 200
    assert listed.headers["cache-control"] == "no-store"


async def docs_page(
    client: httpx.AsyncClient, path: str, bundle: str
) -> tuple[str, dict[str, list[str]]]:
    """A docs page (HTML, policy) that loads `bundle` from its CDN, every asset allowed."""
    response = await client.get(path)
    directives = assert_page_assets_allowed(response)
    assert bundle in response.text
    return response.text, directives


async def test_swagger_ui_loads_under_a_policy_allowing_exactly_its_assets(
    client: httpx.AsyncClient,
) -> None:
    html, directives = await docs_page(
        client, "/docs", "https://cdn.jsdelivr.net/npm/swagger-ui-dist"
    )
    assert len(inline_script_hashes(html)) == 1  # the SwaggerUIBundle bootstrap
    assert "data:" in directives["img-src"]  # Swagger UI's icons are data: SVGs
    assert "/openapi.json" in html


async def test_the_oauth2_redirect_page_runs_only_its_own_script(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/docs/oauth2-redirect")
    assert_page_assets_allowed(response)
    assert len(inline_script_hashes(response.text)) == 1


async def test_redoc_loads_under_a_policy_allowing_exactly_its_assets(
    client: httpx.AsyncClient,
) -> None:
    _, directives = await docs_page(client, "/redoc", "https://cdn.jsdelivr.net/npm/redoc")
    assert directives["worker-src"] == ["blob:"]  # ReDoc's search runs in a blob: worker
    assert "https://fonts.gstatic.com" in directives["font-src"]


def test_the_services_are_launched_without_a_server_header(tmp_path: Path) -> None:
    for service in SERVICES:
        command = ServiceProcess(service, env={}, log_path=tmp_path / "log").command
        assert "--no-server-header" in command
        # uvicorn understands the flag as turning the header off.
        arguments = command[command.index("uvicorn") + 1 :]
        context = uvicorn_command_line.make_context("uvicorn", arguments)
        assert context.params["server_header"] is False
