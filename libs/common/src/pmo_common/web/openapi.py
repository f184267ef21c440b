"""The OpenAPI document tells the truth about errors: every problem an operation can answer.

FastAPI documents only the success answer and a 422 `HTTPValidationError` as application/json,
while every error of these services is an RFC 9457 problem (`pmo_common.problems`). This step,
installed once by the app factory, lists the problem answers of each operation with the
`application/problem+json` content type and the shared `Problem` schema:

| status | on |
|---|---|
| 401, 403 | every `/v1` operation (and any operation that names a security scheme) |
| 404 | operations with path parameters |
| 409 | `/v1` POST, PUT, PATCH and DELETE |
| 412 | `/v1` PUT, PATCH and DELETE, and operations taking an `If-Match` header |
| 400, 413 | operations with a body (400: a body that cannot be read as text, e.g. bad UTF-8) |
| 422 | operations with parameters or a body (replacing FastAPI's `HTTPValidationError`) |
| 500, 503 | every operation |

Success answers stay exactly as FastAPI documents them; error answers a route declares itself
keep their description and get the problem content.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from pmo_common.problems import PROBLEM_FIELD_ERROR_SCHEMA, PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA

PROBLEM_REF = "#/components/schemas/Problem"
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_WRITES = frozenset({"post", "put", "patch", "delete"})
_CONDITIONAL_WRITES = frozenset({"put", "patch", "delete"})

DESCRIPTIONS: dict[int, str] = {
    400: "Bad request: the body could not be read",
    401: "Unauthorized: the bearer token is missing, expired or not valid",
    403: "Forbidden: the caller's roles do not allow this",
    404: "Not found: nothing with that id exists (or the caller may not see it)",
    409: "Conflict with the current state (or a concurrent request with the same key)",
    412: "Precondition failed: If-Match does not match the current ETag",
    413: "Content too large: the body is above the service's limit",
    422: "Invalid request: each refused field is named in `errors`",
    500: "Internal server error: logged; quote the correlation id when reporting it",
    503: "Service unavailable: the database (or a dependency) cannot be reached; see Retry-After",
}


def problem_content() -> dict[str, Any]:
    """The `content` of a problem answer."""
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}


def _is_v1(path: str) -> bool:
    return path == "/v1" or path.startswith("/v1/")


def _takes_if_match(operation: dict[str, Any]) -> bool:
    return any(
        parameter.get("in") == "header" and str(parameter.get("name", "")).lower() == "if-match"
        for parameter in operation.get("parameters", [])
    )


def problem_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The problem statuses an operation can answer (see the module's table)."""
    v1 = _is_v1(path)
    has_body = "requestBody" in operation
    statuses: set[int] = {500, 503}
    if v1 or operation.get("security"):
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if v1 and method in _WRITES:
        statuses.add(409)
    if (v1 and method in _CONDITIONAL_WRITES) or _takes_if_match(operation):
        statuses.add(412)
    if has_body:
        statuses |= {400, 413}
    if has_body or operation.get("parameters"):
        statuses.add(422)
    return sorted(statuses)


def _is_error_status(key: str) -> bool:
    return len(key) == 3 and key[0] in "45"


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem answers and the `Problem` schema to an OpenAPI document (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = copy.deepcopy(PROBLEM_SCHEMA)
    components["ProblemFieldError"] = copy.deepcopy(PROBLEM_FIELD_ERROR_SCHEMA)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status in problem_statuses(path, method, operation):
                entry = responses.setdefault(str(status), {})
                if not entry.get("description") or entry["description"] == "Validation Error":
                    entry["description"] = DESCRIPTIONS[status]
            for key, entry in responses.items():
                if _is_error_status(key):
                    entry["content"] = problem_content()
            operation["responses"] = dict(sorted(responses.items()))
    _drop_unused(schema, ("HTTPValidationError", "ValidationError"))
    return schema


def _drop_unused(schema: dict[str, Any], names: tuple[str, ...]) -> None:
    # FastAPI's validation schemas: gone once nothing refers to them (checked in order).
    components: dict[str, Any] = schema["components"]["schemas"]
    for name in names:
        definition = components.pop(name, None)
        if definition is not None and f'"#/components/schemas/{name}"' in json.dumps(schema):
            components[name] = definition


def install_problem_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` (and /openapi.json) document the problem answers."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
