"""Monitoring's signals about Apollo as the signals tests send them (ADR 0016): health changes,
at-risk and recovered, early warnings, status reports, each with its report date, health version
and the time monitoring sent it, so a test can deliver them in any order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pmo_common.events.envelope import CloudEvent
from pmo_common.events.payloads import (
    EarlyWarning,
    EarlyWarningCleared,
    EventPayload,
    HealthChanged,
    HealthMetrics,
    ProjectAtRisk,
    ProjectRecovered,
    Reason,
    ReportOverdue,
    StatusReported,
)
from pmo_notifications.db.tables import deliveries
from sqlalchemy import select

MANAGER = "ada@example.com"
SPONSOR = "grace@example.com"
SENT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
# The report each health version judges: version n is the report of FIRST_REPORT + n weeks.
FIRST_REPORT = date(2026, 3, 2)
_REASONS = {
    "amber": Reason(code="cpi_below_threshold", message="CPI 0.93 is below 0.95", metric="cpi"),
    "red": Reason(code="cpi_below_threshold", message="CPI 0.82 is below 0.90", metric="cpi"),
}
_CPI = {"green": 1.01, "amber": 0.93, "red": 0.82, "unknown": None}


def report_of(version: int) -> date:
    """The report date a health version judges."""
    return FIRST_REPORT + timedelta(weeks=version)


@dataclass(frozen=True)
class ApolloSignals:
    """Builders of one project's signals; version n is sent n minutes after SENT (an event of
    the same version sent `later` seconds after that)."""

    project_id: str

    def _envelope(self, event_type: str, payload: EventPayload, sent_at: datetime) -> CloudEvent:
        return CloudEvent(
            source="/pmo/monitoring",
            type=event_type,
            subject=self.project_id,
            time=sent_at,
            data=payload.model_dump(mode="json"),
        )

    def _sent(self, version: int, later: int) -> datetime:
        return SENT + timedelta(minutes=version, seconds=later)

    def _health(self, rag: str, version: int) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "project_name": "Apollo",
            "rag": rag,
            "reasons": [_REASONS[rag]] if rag in _REASONS else [],
            "metrics": HealthMetrics(cpi=_CPI[rag]),
            "as_of": report_of(version),
            "health_version": version,
        }

    def _people(self) -> dict[str, Any]:
        return {"manager": MANAGER, "sponsor": SPONSOR, "portfolio_id": "pf-orion"}

    def changed(self, previous: str | None, rag: str, *, version: int) -> CloudEvent:
        """project.health_changed from `previous` to `rag`, health version `version`."""
        payload = HealthChanged(
            **self._health(rag, version), previous_rag=previous, **self._people()
        )
        return self._envelope("project.health_changed", payload, self._sent(version, 0))

    def at_risk(self, *, version: int) -> CloudEvent:
        """project.at_risk (entering red), sent just after the health change of its version."""
        payload = ProjectAtRisk(
            **self._health("red", version), severity="critical", **self._people()
        )
        return self._envelope("project.at_risk", payload, self._sent(version, 1))

    def recovered(self, rag: str, *, version: int) -> CloudEvent:
        """project.recovered (leaving red for `rag`), sent just after its health change."""
        payload = ProjectRecovered(
            **self._health(rag, version), previous_rag="red", **self._people()
        )
        return self._envelope("project.recovered", payload, self._sent(version, 1))

    def early_warning(self, metric: str, *, version: int) -> CloudEvent:
        """project.early_warning on `metric` (a trend warning; the optimism check on tcpi)."""
        optimism = metric == "tcpi"
        payload = EarlyWarning(
            project_id=self.project_id,
            project_name="Apollo",
            **self._people(),
            code="optimism_warning" if optimism else "trend_warning",
            metric=metric,
            forecast_crossing_date=None if optimism else report_of(version) + timedelta(days=30),
            message=f"{metric.upper()} is heading for its red threshold",
            value=1.2 if optimism else 0.93,
            threshold=1.1 if optimism else 0.9,
            as_of=report_of(version),
            health_version=version,
        )
        return self._envelope("project.early_warning", payload, self._sent(version, 2))

    def early_warning_cleared(self, metric: str, *, version: int) -> CloudEvent:
        """project.early_warning_cleared on `metric`."""
        payload = EarlyWarningCleared(
            project_id=self.project_id,
            project_name="Apollo",
            **self._people(),
            code="optimism_warning" if metric == "tcpi" else "trend_warning",
            metric=metric,
            as_of=report_of(version),
            health_version=version,
        )
        return self._envelope("project.early_warning_cleared", payload, self._sent(version, 2))

    def reported(
        self, as_of: date, *, version: int | None = None, rag: str | None = None
    ) -> CloudEvent:
        """project.status_reported of a report as of `as_of` (with the health it left)."""
        payload = StatusReported(
            project_id=self.project_id,
            report_id=f"r-{as_of.isoformat()}",
            as_of=as_of,
            percent_complete=40,
            actual_cost=400_000,
            rag=rag,
            reasons=[_REASONS[rag]] if rag in _REASONS else [],
            metrics=HealthMetrics(cpi=_CPI[rag]) if rag else None,
            health_version=version,
        )
        return self._envelope("project.status_reported", payload, SENT)

    def overdue(self, *, period: int, last_report_at: date | None, days: int) -> CloudEvent:
        """project.report_overdue of `period`, knowing of the last report `last_report_at`."""
        payload = ReportOverdue(
            project_id=self.project_id,
            project_name="Apollo",
            **self._people(),
            last_report_at=last_report_at,
            due_date=date(2026, 2, 15),
            days_overdue=days,
            period=period,
        )
        return self._envelope("project.report_overdue", payload, SENT)


async def apply_all(notifications: Any, *events: CloudEvent) -> None:
    """Apply each event through the service's applier, in this order."""
    for event in events:
        await notifications.apply_event(event)


async def alerts_of(notifications: Any, project_id: str, kind: str | None = None) -> list[Any]:
    """The project's alerts (of `kind` when given), newest first, as a PMO admin reads them."""
    answer = await notifications.client.get(
        "/v1/alerts", headers=notifications.auth(), params={"project_id": project_id}
    )
    assert answer.status_code == 200, answer.text
    items: list[Any] = answer.json()["items"]
    return [item for item in items if kind is None or item["kind"] == kind]


async def emails_to(notifications: Any, project_id: str, target: str = MANAGER) -> list[str]:
    """The event types of the e-mails planned to `target` about the project, oldest first."""
    async with notifications.runtime.sessions() as session:
        rows = await session.execute(
            select(deliveries.c.event_type)
            .where(
                deliveries.c.project_id == project_id,
                deliveries.c.channel == "email",
                deliveries.c.target == target,
            )
            .order_by(deliveries.c.created_at, deliveries.c.id)
        )
        return [row.event_type for row in rows]


async def deliveries_to_subscription(notifications: Any, subscription_id: str) -> list[str]:
    """The event types planned for one subscription, oldest first."""
    async with notifications.runtime.sessions() as session:
        rows = await session.execute(
            select(deliveries.c.event_type)
            .where(deliveries.c.subscription_id == subscription_id, deliveries.c.attempt == 1)
            .order_by(deliveries.c.created_at, deliveries.c.id)
        )
        return [row.event_type for row in rows]


async def subscribe(notifications: Any, project_id: str, *event_types: str) -> str:
    """A PMO admin's webhook subscription to the project's `event_types` of severity warning
    or more; its id. Nothing listens at its target: what is planned is the point."""
    fields = {
        "channel": "webhook",
        "target": "http://127.0.0.1:9/signals",
        "event_types": list(event_types),
        "project_id": project_id,
        "min_severity": "warning",
    }
    answer = await notifications.client.post(
        "/v1/subscriptions", headers=notifications.auth(), json=fields
    )
    assert answer.status_code == 201, answer.text
    subscription_id: str = answer.json()["id"]
    return subscription_id


async def two_actions_overdue(notifications: Any, payloads: Any, project_id: str) -> None:
    """Standards' intervention.action_overdue for two recovery actions of the project, a-1
    then a-2, applied through the consumer."""
    for action_id, title in (("a-1", "Re-plan the integration"), ("a-2", "Freeze the scope")):
        await notifications.apply(
            "intervention.action_overdue",
            payloads.action_overdue(project_id, action_id=action_id, title=title),
        )
