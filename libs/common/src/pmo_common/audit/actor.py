"""Who is acting in the current request: set once, where the bearer token is verified.

A context variable spares every handler a `principal` parameter just for the audit trail.
FastAPI solves an `async` dependency in the task that then runs the route, so the value set by
`current_principal` is what the route's writes see. Work that no person started (a consumed
event, a scheduler) leaves it unset, and the trail records the service itself as the actor.
"""

from __future__ import annotations

from contextvars import ContextVar

from pmo_common.auth.principal import Principal

acting_principal: ContextVar[Principal | None] = ContextVar("acting_principal", default=None)
