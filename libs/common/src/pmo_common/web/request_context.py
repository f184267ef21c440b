"""Per-request context and hardening: correlation id, trace context, metrics, security headers."""

from __future__ import annotations

import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from pmo_common.audit.actor import acting_principal
from pmo_common.observability import child_traceparent, correlation_id_var, traceparent_var
from pmo_common.web.asgi import HttpMiddleware
from pmo_common.web.metrics import HTTP_LATENCY, HTTP_REQUESTS

_SAFE_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""The policy of every answer that sets none of its own: JSON and text load nothing."""


def _private(path: str, headers: Headers) -> bool:
    # Answers to authenticated callers and everything under /v1 must not be stored by caches.
    return "authorization" in headers or path == "/v1" or path.startswith("/v1/")


class RequestContextMiddleware(HttpMiddleware):
    """Every request's correlation id and trace context, its metrics, and the security headers.

    The correlation id (a safe incoming `X-Correlation-ID`, or a new UUID) is set for the logs,
    the events the request causes and the problem bodies, and answered in `X-Correlation-ID`.
    Every answer carries `X-Content-Type-Options: nosniff` and a Content-Security-Policy (the
    strict API one unless the route set its own, as the documentation pages do); answers to
    requests with an `Authorization` header and all `/v1` answers carry `Cache-Control: no-store`.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_headers = Headers(scope=scope)
        incoming = request_headers.get("x-correlation-id", "")
        correlation_id = incoming if _SAFE_CORRELATION_ID.match(incoming) else str(uuid.uuid4())
        no_store = _private(scope["path"], request_headers)
        correlation_token = correlation_id_var.set(correlation_id)
        trace_token = traceparent_var.set(child_traceparent(request_headers.get("traceparent")))
        # No actor until this request's token is verified (none leaks from an earlier request).
        actor_token = acting_principal.set(None)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                headers["X-Correlation-ID"] = correlation_id
                headers["X-Content-Type-Options"] = "nosniff"
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = API_CONTENT_SECURITY_POLICY
                if no_store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            method = scope["method"]
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)
            correlation_id_var.reset(correlation_token)
            traceparent_var.reset(trace_token)
            acting_principal.reset(actor_token)
