"""RFC 9457 problem+json errors and the exception handlers that render them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from pmo_common.observability import correlation_id_var
from pmo_common.outages import is_database_outage as is_database_outage  # re-exported
from pmo_common.web.asgi import HttpMiddleware, StartTrackingSend

PROBLEM_MEDIA_TYPE = "application/problem+json"
DATABASE_RETRY_AFTER_SECONDS = 5
log = logging.getLogger(__name__)

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem: every error of the API answers one, as "
    "application/problem+json.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {
            "type": "string",
            "description": "A URI naming the kind of problem; about:blank when the status says it.",
            "default": "about:blank",
        },
        "title": {"type": "string", "description": "A short summary of the kind of problem."},
        "status": {"type": "integer", "description": "The HTTP status code of the answer."},
        "detail": {"type": "string", "description": "What went wrong, in plain words."},
        "instance": {"type": "string", "description": "The path of the request."},
        "errors": {
            "type": "array",
            "description": "One entry per refused input field (validation problems).",
            "items": {"$ref": "#/components/schemas/ProblemFieldError"},
        },
        "correlation_id": {
            "type": "string",
            "description": "The request's correlation id (also the X-Correlation-ID header); "
            "quote it when reporting a problem.",
        },
    },
}
"""The JSON Schema of every problem body (OpenAPI component `Problem`)."""

PROBLEM_FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemFieldError",
    "type": "object",
    "required": ["field", "reason"],
    "properties": {
        "field": {
            "type": "string",
            "description": "The refused field as a dotted path, e.g. body.milestones.0.name.",
        },
        "reason": {"type": "string", "description": "Why the value is refused."},
    },
}
"""The JSON Schema of one `errors` entry (OpenAPI component `ProblemFieldError`)."""


class ProblemException(Exception):
    """An error that becomes a problem+json response."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        type_: str = "about:blank",
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_
        self.errors = errors
        self.headers = headers


def not_found(what: str, identifier: object, hint: str = "") -> ProblemException:
    """A 404 problem naming what was looked for."""
    detail = f"No {what} with id {identifier!s} exists." + (f" {hint}" if hint else "")
    return ProblemException(404, f"{what.capitalize()} not found", detail)


def field_problem(field: str, reason: str, status: int = 422) -> ProblemException:
    """A validation problem about one named field."""
    return ProblemException(
        status,
        "Invalid request",
        f"{field}: {reason}",
        errors=[{"field": field, "reason": reason}],
    )


class FieldIssue(Protocol):
    """A broken rule about one input field, as each service's domain states it."""

    @property
    def field(self) -> str:
        """The field, as a dotted path inside `location` (e.g. `milestones.0.name`)."""
        ...

    @property
    def reason(self) -> str:
        """Why the value is refused, in plain words."""
        ...


def invalid_fields(
    issues: Sequence[FieldIssue],
    *,
    title: str = "Invalid request",
    location: str | None = "body",
    shown: int | None = None,
) -> ProblemException:
    """The 422 problem naming every field a domain rule refused, like request validation does.

    Fields are prefixed with `location` (`body.end_date`) unless it is None; the detail lists
    the first `shown` issues (all when None), the `errors` member every one of them.
    """
    errors = [
        {"field": f"{location}.{issue.field}" if location else issue.field, "reason": issue.reason}
        for issue in issues
    ]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:shown])
    return ProblemException(422, title, detail, errors=errors)


def raise_if_invalid(
    issues: Sequence[FieldIssue], *, title: str = "Invalid request", location: str | None = "body"
) -> None:
    """Raise `invalid_fields(...)` when a rule was broken; do nothing when none was."""
    if issues:
        raise invalid_fields(issues, title=title, location=location)


def problem_response(request: Request, problem: ProblemException) -> JSONResponse:
    """Render a problem as the problem+json answer to a request."""
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    correlation_id = correlation_id_var.get()
    if correlation_id:
        body["correlation_id"] = correlation_id
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=problem.headers
    )


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in location)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field_name(err.get("loc", ())), "reason": err.get("msg", "invalid")}
        for err in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return problem_response(
        request, ProblemException(422, "Invalid request", summary, errors=errors)
    )


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemException)
    return problem_response(request, exc)


_HTTP_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content Too Large",
    415: "Unsupported media type",
    503: "Service Unavailable",
}


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    problem = ProblemException(
        exc.status_code,
        _HTTP_TITLES.get(exc.status_code, "Error"),
        str(exc.detail),
        headers=getattr(exc, "headers", None),
    )
    return problem_response(request, problem)


def _unexpected_problem(request: Request, exc: Exception) -> ProblemException:
    where = f"{request.method} {request.url.path}"
    if is_database_outage(exc):
        log.error("database unavailable while answering %s", where, exc_info=exc)
        return ProblemException(
            503,
            "Service Unavailable",
            "The service cannot reach its database at the moment. Try again shortly.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    log.error("unhandled error while answering %s", where, exc_info=exc)
    return ProblemException(
        500,
        "Internal Server Error",
        "The server failed to handle the request. The error was logged; quote the "
        "correlation id when you report it.",
    )


class UnhandledErrorMiddleware(HttpMiddleware):
    """Turn an exception no handler knows into a 500 problem (503 for a database outage).

    Starlette's ServerErrorMiddleware answers too, but then re-raises: the server logs the
    error a second time and drops the keep-alive connection. This one logs the traceback once
    and completes the answer, so the connection stays usable. An error raised after the answer
    has started cannot be answered any more: it is logged and the server closes the connection.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracking_send = StartTrackingSend(send)
        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            request = Request(scope)
            problem = _unexpected_problem(request, exc)
            if not tracking_send.started:
                await problem_response(request, problem)(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of the app answer application/problem+json.

    Unknown exceptions are answered by `UnhandledErrorMiddleware` (added here), not by an
    `Exception` handler: Starlette would re-raise after such a handler answered.
    """
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(ProblemException, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(UnhandledErrorMiddleware)
