"""401 answers say nothing of why a token failed; a token with no known role is denied (403)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import httpx
import jwt
import pytest
from fastapi import FastAPI
from pmo_common.auth.dependencies import UNAUTHORIZED_DETAIL
from pmo_common.problems import PROBLEM_MEDIA_TYPE
from pmo_stack.testkit.in_process import asgi_client
from pmo_stack.testkit.subject_routes import subject_routes

AppBuilder = Callable[..., FastAPI]
Bearer = Callable[..., dict[str, str]]


@pytest.fixture
async def client(build_service_app: AppBuilder) -> AsyncIterator[httpx.AsyncClient]:
    # GET /v1/portfolios for any caller, POST /v1/portfolios for PMO admins only.
    routes = subject_routes("/v1/portfolios", "/v1/portfolios")
    async with asgi_client(build_service_app(routes)) as client:
        yield client


def assert_generic_401(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["www-authenticate"] == "Bearer"
    detail = response.json()["detail"]
    assert detail == UNAUTHORIZED_DETAIL == "The bearer token is missing, expired or not valid."


async def test_a_missing_token_gets_the_plain_401(client: httpx.AsyncClient) -> None:
    assert_generic_401(await client.get("/v1/portfolios"))
    assert_generic_401(await client.get("/v1/portfolios", headers={"Authorization": "Basic x"}))


@pytest.mark.parametrize(
    ("token", "library_message"),
    [
        ("x.y.z", "Invalid header padding"),
        ("not-a-jwt", "Not enough segments"),
        (
            jwt.encode({"sub": "u", "exp": 4102444800}, "another-secret-0123456789abcdef-xyz"),
            "Signature verification failed",
        ),
    ],
)
async def test_a_bad_token_gets_the_plain_401_and_the_reason_goes_to_the_debug_log(
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    token: str,
    library_message: str,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="pmo_common.auth.dependencies"):
        response = await client.get("/v1/portfolios", headers={"Authorization": f"Bearer {token}"})
    assert_generic_401(response)
    assert library_message not in response.text
    refusals = [r for r in caplog.records if r.name == "pmo_common.auth.dependencies"]
    assert [r.levelno for r in refusals] == [logging.DEBUG]
    assert library_message in refusals[0].getMessage()


async def test_an_expired_token_gets_the_plain_401(
    client: httpx.AsyncClient, bearer: Bearer
) -> None:
    response = await client.get("/v1/portfolios", headers=bearer("viewer", ttl_seconds=-60))
    assert_generic_401(response)
    assert "Signature has expired" not in response.text


@pytest.mark.parametrize("roles", [(), ("intruder",), ("PMO_ADMIN", "superuser")])
async def test_a_token_without_a_known_role_is_denied_everywhere(
    client: httpx.AsyncClient, bearer: Bearer, roles: tuple[str, ...]
) -> None:
    for response in (
        await client.get("/v1/portfolios", headers=bearer(*roles)),
        await client.post("/v1/portfolios", headers=bearer(*roles)),
    ):
        assert response.status_code == 403
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert "none of the roles" in response.json()["detail"]


@pytest.mark.parametrize(
    "role", ["pmo_admin", "portfolio_manager", "project_manager", "viewer", "service"]
)
async def test_any_known_role_reads(client: httpx.AsyncClient, bearer: Bearer, role: str) -> None:
    response = await client.get("/v1/portfolios", headers=bearer(role, "intruder"))
    assert response.status_code == 200


async def test_role_checks_still_apply_to_known_roles(
    client: httpx.AsyncClient, bearer: Bearer
) -> None:
    assert (await client.post("/v1/portfolios", headers=bearer("viewer"))).status_code == 403
    assert (await client.post("/v1/portfolios", headers=bearer("pmo_admin"))).status_code == 200
