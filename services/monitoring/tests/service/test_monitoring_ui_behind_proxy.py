"""The web view behind a TLS-terminating, path-prefixing, Host-rewriting proxy, and in
production, where the auth proxy signs people in and the development form is off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import httpx
import pytest
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.main import create_app
from pmo_monitoring.migrate import migrate
from pmo_stack.testkit.in_process import asgi_client, running, sqlite_settings

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Monitoring
    from fastapi import FastAPI


def _token(monitoring: Monitoring) -> str:
    return monitoring.auth_header()["Authorization"].removeprefix("Bearer ")


@asynccontextmanager
async def _behind_prefix(app: FastAPI, prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client reaching the app as a proxy serving it under `prefix` does (uvicorn's
    --root-path: the prefix is in the path and named as the ASGI root_path)."""
    transport = httpx.ASGITransport(app=app, root_path=prefix)
    async with httpx.AsyncClient(transport=transport, base_url="http://pmo.example.com") as client:
        yield client


async def test_the_cookie_is_secure_when_a_tls_proxy_says_https(monitoring: Monitoring) -> None:
    # uvicorn without --forwarded-allow-ips leaves the scheme http behind the proxy.
    answer = await monitoring.client.post(
        "/ui/login", data={"token": _token(monitoring)}, headers={"X-Forwarded-Proto": "https"}
    )
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]
    signed_out = await monitoring.client.post("/ui/logout", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in signed_out.headers["set-cookie"]
    plain = await monitoring.client.post("/ui/login", data={"token": _token(monitoring)})
    assert "Secure" not in plain.headers["set-cookie"]


async def test_behind_a_path_prefix_the_cookie_signs_in_the_prefixed_pages(
    monitoring: Monitoring,
) -> None:
    async with _behind_prefix(monitoring.app, "/monitoring") as client:
        signed_in = await client.post("/monitoring/ui/login", data={"token": _token(monitoring)})
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == "/monitoring/ui/"
        assert "Path=/monitoring/ui;" in signed_in.headers["set-cookie"]
        assert (await client.get("/monitoring/ui/")).status_code == 200  # the cookie came back
        signed_out = await client.post("/monitoring/ui/logout")
        assert "Path=/monitoring/ui;" in signed_out.headers["set-cookie"]
        assert (await client.get("/monitoring/ui/")).status_code == 401  # and is gone


async def test_a_proxy_rewriting_host_names_the_original_in_x_forwarded_host(
    monitoring: Monitoring,
) -> None:
    # The browser posts to pmo.example.com; the proxy reaches the service as "monitoring".
    token = _token(monitoring)
    origin = {"Origin": "https://pmo.example.com"}
    forwarded = {**origin, "X-Forwarded-Host": "pmo.example.com, edge.internal"}
    answer = await monitoring.client.post("/ui/login", data={"token": token}, headers=forwarded)
    assert answer.status_code == 303
    refused = await monitoring.client.post("/ui/login", data={"token": token}, headers=origin)
    assert refused.status_code == 403
    forged = {"Origin": "https://evil.example.com", "X-Forwarded-Host": "pmo.example.com"}
    answer = await monitoring.client.post("/ui/login", data={"token": token}, headers=forged)
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


def test_the_sign_in_form_is_on_outside_production_unless_a_setting_says_otherwise() -> None:
    secret = "a-production-secret-0123456789abcdef"
    production = MonitoringSettings(environment="production", auth_jwt_secret=secret)
    assert not production.sign_in_form_enabled
    assert MonitoringSettings(environment="development").sign_in_form_enabled
    assert MonitoringSettings(environment="test").sign_in_form_enabled
    assert MonitoringSettings(
        environment="production", auth_jwt_secret=secret, ui_sign_in_form=True
    ).sign_in_form_enabled
    assert not MonitoringSettings(ui_sign_in_form=False).sign_in_form_enabled


@pytest.fixture
def formless_settings(tmp_path: Path) -> MonitoringSettings:
    """The suite's settings with the sign-in form off, as production has it (a fixture of its
    own: migrating runs its own event loop)."""
    own = tmp_path / "formless"
    own.mkdir()
    return sqlite_settings(
        MonitoringSettings, migrate, own, overdue_check_seconds=0, ui_sign_in_form=False
    )


async def test_without_the_form_sign_in_is_through_the_organisations_proxy(
    formless_settings: MonitoringSettings, monitoring: Monitoring
) -> None:
    app = create_app(formless_settings)
    async with running(app), asgi_client(app, "http://monitoring") as client:
        page = await client.get("/ui/login")
        assert page.status_code == 200
        assert "organisation's sign-in page" in page.text
        assert '<form class="sign-in"' not in page.text
        posted = await client.post("/ui/login", data={"token": _token(monitoring)})
        assert posted.status_code == 403
        assert "set-cookie" not in posted.headers
        # The auth proxy's header still signs in.
        assert (await client.get("/ui/", headers=monitoring.auth_header())).status_code == 200
