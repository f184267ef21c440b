"""The app factory every service builds on: lifespan, probes, metrics, errors, auth, context.

The middleware, outermost first: the request context (correlation id, metrics, security
headers), the catch-all for unknown errors (500, or 503 when the database is down), the body
size limit (413), the guard against NUL characters in the URL (422), then FastAPI's exception
handlers and the routes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_common.auth.tokens import TokenVerifier
from pmo_common.messaging.consumed_events import ConsumedEvents
from pmo_common.messaging.tables import MessagingTables
from pmo_common.observability import configure_logging
from pmo_common.problems import ProblemException, install_problem_handlers, problem_response
from pmo_common.settings import ServiceSettings
from pmo_common.web.body_limit import BodySizeLimitMiddleware
from pmo_common.web.docs import install_docs
from pmo_common.web.openapi import install_problem_openapi
from pmo_common.web.request_context import RequestContextMiddleware
from pmo_common.web.runtime import (
    BackgroundJob,
    ServiceRuntime,
    build_runtime,
    shutdown,
    start_jobs,
    start_messaging,
)
from pmo_common.web.url_guard import NulCharacterGuard

StartupHook = Callable[[ServiceRuntime], Awaitable[None]]


def create_service_app(
    *,
    settings: ServiceSettings,
    tables: MessagingTables,
    routers: Sequence[APIRouter],
    handlers: ConsumedEvents | None = None,
    jobs: Sequence[BackgroundJob] = (),
    on_startup: StartupHook | None = None,
    description: str = "",
) -> FastAPI:
    """A FastAPI app with the shared plumbing; routers and handlers are the service's own."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        runtime = build_runtime(settings, tables, handlers or ConsumedEvents())
        app.state.runtime = runtime
        app.state.token_verifier = TokenVerifier(
            secret=settings.auth_jwt_secret.get_secret_value(),
            jwks_url=settings.auth_jwks_url,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
        )
        starter: asyncio.Task[None] | None = None
        try:
            if on_startup is not None:
                await on_startup(runtime)
            # Jobs run whether or not Kafka is enabled (their events wait in the outbox); only
            # the relay and the consumer need the broker, and they start once it answers.
            start_jobs(runtime, jobs)
            if settings.kafka_enabled:
                starter = asyncio.create_task(start_messaging(runtime))
            yield
        finally:
            runtime.stop.set()
            if starter is not None:
                await starter
            await shutdown(runtime)

    app = FastAPI(
        title=f"PMO {settings.service_name}",
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, under a Content-Security-Policy that fits
        redoc_url=None,
    )
    # add_middleware wraps what was added before: the last one added is the outermost.
    app.add_middleware(NulCharacterGuard)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    install_problem_handlers(app)  # adds the catch-all for unknown errors around the limit
    app.add_middleware(RequestContextMiddleware)
    install_docs(app)
    install_problem_openapi(app)
    app.include_router(_probes_router())
    for router in routers:
        app.include_router(router)
    return app


def _probes_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The database and Kafka are reachable", response_model=None)
    async def readyz(request: Request) -> Any:
        runtime: ServiceRuntime = request.app.state.runtime
        checks = await _readiness_checks(runtime)
        failed = {name: result for name, result in checks.items() if result != "ok"}
        if failed:
            detail = "; ".join(f"{name}: {result}" for name, result in failed.items())
            response = problem_response(request, ProblemException(503, "Not ready", detail))
            response.headers["Retry-After"] = "2"
            return response
        return JSONResponse({"status": "ready", "checks": checks})

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        responses={
            200: {
                "description": "The metrics in the Prometheus text exposition format",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _readiness_checks(runtime: ServiceRuntime) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        async with runtime.engine.connect() as connection:
            await asyncio.wait_for(connection.execute(text("SELECT 1")), timeout=3)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    if runtime.settings.kafka_enabled:
        try:
            await asyncio.wait_for(runtime.publisher.check_connection(), timeout=3)
            checks["kafka"] = "ok"
        except Exception as exc:
            checks["kafka"] = f"unreachable ({type(exc).__name__}: {exc})"
        if runtime.consumer is not None:
            checks["consumer"] = runtime.consumer.status
    return checks


def get_runtime(request: Request) -> ServiceRuntime:
    """The service runtime built at start-up."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A database session for the request."""
    async with get_runtime(request).sessions() as session:
        yield session


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
