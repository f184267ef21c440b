"""Refuse request bodies larger than the configured limit (413) before they are parsed."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pmo_common.problems import ProblemException, problem_response
from pmo_common.web.asgi import HttpMiddleware, StartTrackingSend


def describe_size(size: int) -> str:
    """A byte count in plain words: `1048576 bytes (1 MiB)`."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            amount = size / factor
            shown = f"{amount:.0f}" if amount == int(amount) else f"{amount:.1f}"
            return f"{size} bytes ({shown} {unit})"
    return f"{size} bytes"


def _too_large_detail(limit: int) -> str:
    return f"The request body is larger than this service accepts: at most {describe_size(limit)}."


class RequestBodyTooLarge(HTTPException):
    """Raised by the counting `receive` once a streamed body passes the limit.

    An HTTPException, so FastAPI's body parsing lets it through (rather than answering 400)
    and the problem handlers render it as a 413 problem.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large_detail(limit), headers={"Connection": "close"})


class BodySizeLimitMiddleware(HttpMiddleware):
    """413 problem+json for a body above `max_body_bytes`, before anything parses it.

    A `Content-Length` above the limit is refused at once, without reading the body or calling
    the app. A body without one (chunked) is counted as it streams in; reading stops with 413
    as soon as the count passes the limit. The answer asks the client to close the connection,
    since the rest of the body is never read.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        super().__init__(app)
        self.max_body_bytes = max_body_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send)
            return

        received = 0
        exceeded = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise RequestBodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise RequestBodyTooLarge(limit)
            return message

        tracking_send = StartTrackingSend(send)
        try:
            await self.app(scope, counting_receive, tracking_send)
        except RequestBodyTooLarge:
            # Normally the problem handlers answer it; this catches it when nothing inside did.
            if tracking_send.started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = ProblemException(
            413,
            "Content Too Large",
            _too_large_detail(self.max_body_bytes),
            headers={"Connection": "close"},
        )
        await problem_response(Request(scope), problem)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
