"""The monitoring service app: status reports, earned value, health and portfolio roll-ups."""

from __future__ import annotations

from fastapi import FastAPI
from pmo_common.audit.route import audit_router
from pmo_common.web.app_factory import create_service_app

from pmo_monitoring.api.baseline_variance import router as baseline_variance_router
from pmo_monitoring.api.glossary import router as glossary_router
from pmo_monitoring.api.health import router as health_router
from pmo_monitoring.api.raid import router as raid_router
from pmo_monitoring.api.status_reports import router as status_reports_router
from pmo_monitoring.config import MonitoringSettings, get_settings
from pmo_monitoring.db.audit_trail import trail
from pmo_monitoring.db.tables import messaging
from pmo_monitoring.handlers.consumed_events import CONSUMED
from pmo_monitoring.handlers.overdue_detection import report_overdue_job
from pmo_monitoring.languages import load_catalogs
from pmo_monitoring.ui.router import router as ui_router


def create_app(settings: MonitoringSettings | None = None) -> FastAPI:
    """Build the monitoring app."""
    load_catalogs()  # once, at start-up: a broken catalog stops the service here
    return create_service_app(
        settings=settings or get_settings(),
        tables=messaging,
        routers=[
            audit_router(trail),
            status_reports_router,
            raid_router,
            health_router,
            baseline_variance_router,
            glossary_router,
            ui_router,
        ],
        handlers=CONSUMED,
        jobs=[report_overdue_job],
        description=(
            "Status reports, earned-value metrics, health (RAG) with reasons, forecasts and "
            "portfolio roll-ups."
        ),
    )


app = create_app()
