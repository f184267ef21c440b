"""Refuse NUL characters in the path and query string (422) before any route sees them.

PostgreSQL cannot hold a NUL in text, so `?program_id=%00` reached the database as a filter and
failed there (500). Bodies are guarded by `StrictInput`; this covers what no model validates.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from pmo_common.problems import ProblemException, problem_response

_NUL = "\x00"
_REASON = "must not contain NUL characters (U+0000)"


def nul_field(scope: Scope) -> str | None:
    """The first path or query parameter holding a NUL, as `path` or `query.<name>`, or None."""
    if _NUL in unquote(scope.get("raw_path", b"").decode("latin-1")) or _NUL in scope["path"]:
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if _NUL in name or _NUL in value:
            return f"query.{name.replace(_NUL, '')}"
    return None


class NulCharacterGuard:
    """Answer 422 problem+json naming the parameter when the URL carries a NUL character."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        field = nul_field(scope) if scope["type"] == "http" else None
        if field is None:
            await self.app(scope, receive, send)
            return
        problem = ProblemException(
            422,
            "Invalid request",
            f"{field}: {_REASON}",
            errors=[{"field": field, "reason": _REASON}],
        )
        await problem_response(Request(scope), problem)(scope, receive, send)
