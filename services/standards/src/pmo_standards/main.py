"""The standards service app: methodologies, gate reviews, compliance, best practices and
interventions in projects in difficulty."""

from __future__ import annotations

from fastapi import FastAPI
from pmo_common.audit.route import audit_router
from pmo_common.web.app_factory import create_service_app
from pmo_common.web.runtime import ServiceRuntime

from pmo_standards.api.compliance import router as compliance_router
from pmo_standards.api.interventions import router as interventions_router
from pmo_standards.api.methodologies import router as methodologies_router
from pmo_standards.api.practices import router as practices_router
from pmo_standards.config import StandardsSettings, get_settings
from pmo_standards.db.audit_trail import trail
from pmo_standards.db.tables import messaging
from pmo_standards.handlers.action_overdue_detection import action_overdue_job
from pmo_standards.handlers.consumed_events import CONSUMED
from pmo_standards.handlers.methodology_commands import seed_methodologies


async def _seed(runtime: ServiceRuntime) -> None:
    await seed_methodologies(runtime.sessions)


def create_app(settings: StandardsSettings | None = None) -> FastAPI:
    """Build the standards app."""
    return create_service_app(
        settings=settings or get_settings(),
        tables=messaging,
        routers=[
            audit_router(trail),
            methodologies_router,
            compliance_router,
            practices_router,
            interventions_router,
        ],
        handlers=CONSUMED,
        jobs=[action_overdue_job],
        on_startup=_seed,
        description=(
            "Methodologies (phases, gates, deliverables, cadence, tolerances), gate reviews, "
            "project compliance, the best-practice library and interventions in projects in "
            "difficulty (exception reports, board decisions, recovery actions)."
        ),
    )


app = create_app()
