"""Which subscriptions an event reaches: event type, project or portfolio, minimum severity."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from pmo_notifications.domain.rule_violation import RuleViolation
from pmo_notifications.domain.severity import is_at_least

ALERT_EVENT_TYPES: tuple[str, ...] = (
    "alert.raised",
    "alert.acknowledged",
    "alert.resolved",
    "alert.escalated",
    "alert.severity_changed",
)
DELIVERY_EVENT_TYPES: tuple[str, ...] = ("notification.delivered", "notification.failed")
CONSUMED_EVENT_TYPES: tuple[str, ...] = (
    "project.at_risk",
    "project.recovered",
    "project.report_overdue",
    "project.health_changed",
    "project.early_warning",
    "project.early_warning_cleared",
    "project.created",
    "project.updated",
    "project.closed",
    "project.gate.decided",
    "intake.request.submitted",
    "intake.request.approved",
    "intake.request.rejected",
    "intervention.action_overdue",
)
ROUTABLE_EVENT_TYPES: frozenset[str] = frozenset(CONSUMED_EVENT_TYPES + ALERT_EVENT_TYPES)
# Events that carry no severity of their own are routed as this one; an overdue report is
# something to act on, so it counts as a warning, as does an early warning and its end (whoever
# heard of the warning hears it cleared).
_DEFAULT_SEVERITY = {
    "project.report_overdue": "warning",
    "intervention.action_overdue": "warning",
    "project.early_warning": "warning",
    "project.early_warning_cleared": "warning",
}
# A change of colour is routed as the at-risk alert of that colour is: red critical, amber a
# warning, green and unknown info.
_HEALTH_SEVERITY = {"red": "critical", "amber": "warning"}


@dataclass(frozen=True, slots=True)
class RoutingRule:
    """What a subscription asks to receive."""

    event_types: frozenset[str]
    project_id: str | None = None
    portfolio_id: str | None = None
    min_severity: str = "info"


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    """A subscription as stored (soft-deleted, so past deliveries keep their context)."""

    id: str
    owner: str
    owner_email: str | None
    channel: str
    target: str
    event_types: tuple[str, ...]
    project_id: str | None
    portfolio_id: str | None
    min_severity: str
    secret: str | None
    created_at: datetime
    deleted_at: datetime | None = None
    # The language its messages are written in (`en`, `fr`); None: PMO_DEFAULT_LOCALE when
    # each message is planned.
    locale: str | None = None

    @property
    def rule(self) -> RoutingRule:
        """What the subscription asks to receive."""
        return RoutingRule(
            event_types=frozenset(self.event_types),
            project_id=self.project_id,
            portfolio_id=self.portfolio_id,
            min_severity=self.min_severity,
        )


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What routing needs to know about one event."""

    event_type: str
    project_id: str | None
    portfolio_id: str | None
    severity: str


def in_scope(
    subscription: SubscriptionRecord, *, project_id: str | None, portfolio_ids: Collection[str]
) -> bool:
    """Whether the subscription's project and portfolio filters leave room for events of this
    project in any of these portfolios (what `subscriptions_in_scope` selects)."""
    if subscription.project_id is not None and subscription.project_id != project_id:
        return False
    return subscription.portfolio_id is None or subscription.portfolio_id in portfolio_ids


def routing_severity(event_type: str, declared: str | None = None) -> str:
    """The severity an event is routed with: its own, else the type's default, else info."""
    return declared or _DEFAULT_SEVERITY.get(event_type, "info")


def health_routing_severity(rag: str) -> str:
    """The severity a project.health_changed into `rag` is routed with."""
    return _HEALTH_SEVERITY.get(rag, "info")


def subscription_matches(rule: RoutingRule, facts: EventFacts) -> bool:
    """Whether a subscription with `rule` receives the event described by `facts`."""
    if facts.event_type not in rule.event_types:
        return False
    if rule.project_id is not None and rule.project_id != facts.project_id:
        return False
    if rule.portfolio_id is not None and rule.portfolio_id != facts.portfolio_id:
        return False
    return is_at_least(facts.severity, rule.min_severity)


def event_type_violations(
    requested: Sequence[str], catalog: Collection[str]
) -> list[RuleViolation]:
    """Every requested event type the catalog does not know or notifications cannot route."""
    violations: list[RuleViolation] = []
    if not requested:
        violations.append(RuleViolation("event_types", "name at least one event type"))
    routable = ", ".join(sorted(ROUTABLE_EVENT_TYPES))
    for index, event_type in enumerate(requested):
        field = f"event_types.{index}"
        if event_type not in catalog:
            violations.append(
                RuleViolation(field, f"'{event_type}' is not an event type of the catalog")
            )
        elif event_type in DELIVERY_EVENT_TYPES:
            violations.append(
                RuleViolation(
                    field,
                    f"'{event_type}' reports on notifications themselves and cannot be "
                    "subscribed to (each delivery would cause another)",
                )
            )
        elif event_type not in ROUTABLE_EVENT_TYPES:
            violations.append(
                RuleViolation(
                    field, f"notifications does not receive '{event_type}'; choose from: {routable}"
                )
            )
    return violations
