"""What the shared pure-ASGI middlewares have in common: HTTP only, and knowing if the answer began.

The middlewares are plain ASGI (not Starlette's `BaseHTTPMiddleware`), so they stream, and an
error can be answered as long as the response has not started.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HttpMiddleware:
    """A middleware acting on HTTP requests only: lifespan and websocket scopes pass through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request (through `self.app`)."""
        raise NotImplementedError


class StartTrackingSend:
    """A `send` that notes when the response starts: from then on no other answer can be sent."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)
