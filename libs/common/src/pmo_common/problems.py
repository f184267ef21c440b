"""RFC 9457 problem+json errors and the exception handlers that render them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


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


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}
    problem = ProblemException(
        exc.status_code,
        title.get(exc.status_code, "Error"),
        str(exc.detail),
        headers=getattr(exc, "headers", None),
    )
    return problem_response(request, problem)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    detail = "The server failed to handle the request; it was logged."
    return problem_response(request, ProblemException(500, "Internal error", detail))


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of the app answer application/problem+json."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(ProblemException, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
