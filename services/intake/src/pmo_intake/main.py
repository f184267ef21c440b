"""The intake service app: requests, portfolios, programmes and the project registry."""

from __future__ import annotations

from fastapi import FastAPI
from pmo_common.audit.route import audit_router
from pmo_common.web.app_factory import create_service_app

from pmo_intake.api.baselines import router as baselines_router
from pmo_intake.api.budgets import router as budgets_router
from pmo_intake.api.change_requests import router as change_requests_router
from pmo_intake.api.portfolio_members import router as portfolio_members_router
from pmo_intake.api.portfolios import router as portfolios_router
from pmo_intake.api.programs import router as programs_router
from pmo_intake.api.projects import router as projects_router
from pmo_intake.api.request_reviews import router as request_reviews_router
from pmo_intake.api.requests import router as requests_router
from pmo_intake.api.scenarios import router as scenarios_router
from pmo_intake.api.scoring_models import router as scoring_models_router
from pmo_intake.config import IntakeSettings, get_settings
from pmo_intake.db.audit_trail import trail
from pmo_intake.db.tables import messaging
from pmo_intake.handlers.consumed_events import CONSUMED


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    """Build the intake app."""
    return create_service_app(
        settings=settings or get_settings(),
        tables=messaging,
        routers=[
            audit_router(trail),
            projects_router,
            baselines_router,
            change_requests_router,
            requests_router,
            request_reviews_router,
            portfolios_router,
            portfolio_members_router,
            budgets_router,
            scenarios_router,
            programs_router,
            scoring_models_router,
        ],
        handlers=CONSUMED,
        description=(
            "Project requests and their review (scoring, budget envelopes, scenarios), "
            "portfolios, programmes and the project registry with its baselines under change "
            "control."
        ),
    )


app = create_app()
