"""The notifications service app: alerts, subscriptions, silences and the delivery log."""

from __future__ import annotations

from fastapi import FastAPI
from pmo_common.audit.route import audit_router
from pmo_common.web.app_factory import create_service_app
from pmo_common.web.runtime import ServiceRuntime

from pmo_notifications.api.alerts import router as alerts_router
from pmo_notifications.api.deliveries import router as deliveries_router
from pmo_notifications.api.digests import router as digests_router
from pmo_notifications.api.escalation_policies import router as escalation_policies_router
from pmo_notifications.api.silences import router as silences_router
from pmo_notifications.api.subscriptions import router as subscriptions_router
from pmo_notifications.config import NotificationsSettings, get_settings
from pmo_notifications.db.audit_trail import trail
from pmo_notifications.db.tables import messaging
from pmo_notifications.handlers.consumed_events import CONSUMED
from pmo_notifications.handlers.delivery_dispatcher import run_delivery_job
from pmo_notifications.handlers.digest_job import run_digest_job
from pmo_notifications.handlers.escalation_job import (
    run_escalation_job,
    warn_of_pmo_levels_telling_nobody,
)
from pmo_notifications.handlers.group_sending import run_group_job
from pmo_notifications.handlers.wordings import install_message_languages


async def _on_startup(runtime: ServiceRuntime) -> None:
    # The languages first: the consumer and the jobs, which start next, word messages in them.
    await install_message_languages(runtime)
    await warn_of_pmo_levels_telling_nobody(runtime)


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    """Build the notifications app."""
    return create_service_app(
        settings=settings or get_settings(),
        tables=messaging,
        routers=[
            audit_router(trail),
            alerts_router,
            subscriptions_router,
            silences_router,
            deliveries_router,
            escalation_policies_router,
            digests_router,
        ],
        handlers=CONSUMED,
        jobs=[run_delivery_job, run_escalation_job, run_digest_job, run_group_job],
        on_startup=_on_startup,
        description="Alerts on projects at risk, escalation of unacknowledged ones, "
        "subscriptions, silences and signed delivery of e-mails and webhooks.",
    )


app = create_app()
