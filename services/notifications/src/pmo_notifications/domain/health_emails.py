"""The e-mails about a project's health: at risk, recovered, changed colour, early warnings.

Each says what happened as of which report, why (the reasons as monitoring worded them), the key
figures, where the terms are explained, and what to do next, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from pmo_notifications.domain.email_composition import (
    ComposedEmail,
    glossary_section,
    metric_section,
    next_steps,
    reason_section,
    worded_email,
)
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.domain.wording import (
    Wording,
    colour_label,
    colour_word,
    quoted,
    severity_word,
)


@dataclass(frozen=True, slots=True)
class HealthNotice:
    """A project's health as told by an at-risk or recovery event (`currency`: the project's,
    when the registry told it)."""

    project_name: str
    rag: str
    as_of: date
    reasons: Sequence[ReasonLine] = ()
    metrics: Mapping[str, object] = field(default_factory=dict)
    severity: str | None = None
    previous_rag: str | None = None
    sponsor: str | None = None
    alert_id: str | None = None
    currency: str | None = None


def compose_at_risk_email(wording: Wording, notice: HealthNotice) -> ComposedEmail:
    """The e-mail telling a project manager their project is at risk."""
    w = wording
    said = _said(w, notice)
    headline = (
        w._("Project {name} is now {rag} ({severity}) as of {day}.").format(
            **said, severity=severity_word(w, notice.severity)
        )
        if notice.severity
        else w._("Project {name} is now {rag} as of {day}.").format(**said)
    )
    sponsor = (
        w._(
            "Share the plan with your sponsor ({sponsor}) and the PMO, then file an updated "
            "status report."
        ).format(sponsor=notice.sponsor)
        if notice.sponsor
        else w._(
            "Share the plan with your sponsor and the PMO, then file an updated status report."
        )
    )
    acknowledge = (
        w._(
            "Acknowledge the alert (id {alert_id}) in the PMO tool so the PMO knows you are on it."
        ).format(alert_id=notice.alert_id)
        if notice.alert_id
        else w._("Acknowledge the alert in the PMO tool so the PMO knows you are on it.")
    )
    return _health_email(
        w,
        notice,
        subject=w._("Project {name} is at risk ({colour})").format(**said),
        news=[headline],
        reasons_heading=w._("Why it is at risk:"),
        steps=[
            w._(
                "Check the reasons above against your latest status report and correct any "
                "figure that is wrong."
            ),
            w._(
                "Agree a recovery plan with your team: what changes in scope, schedule or "
                "budget, and by when."
            ),
            sponsor,
            acknowledge,
        ],
    )


def compose_recovery_email(wording: Wording, notice: HealthNotice) -> ComposedEmail:
    """The e-mail telling a project manager their project has recovered (from red)."""
    w = wording
    said = _said(w, notice)
    headline = _told(
        notice,
        said,
        was=w._("Project {name} has recovered: it is now {rag} (it was {previous}) as of {day}."),
        plain=w._("Project {name} has recovered: it is now {rag} as of {day}."),
    )
    # The at-risk alert follows the colour: resolved at green, a warning while amber.
    alert = (
        w._("The at-risk alert has been lowered to a warning while the project is amber.")
        if notice.rag == "amber"
        else w._("The at-risk alert has been resolved automatically.")
    )
    return _health_email(
        w,
        notice,
        subject=w._("Project {name} has recovered ({colour})").format(**said),
        news=[headline, alert],
        reasons_heading=w._("Still worth watching:"),
        steps=[
            w._("Keep reporting on the usual cadence so the recovery is confirmed."),
            w._("Let your sponsor and the PMO know which actions made the difference."),
        ],
    )


def compose_health_change_email(wording: Wording, notice: HealthNotice) -> ComposedEmail:
    """The e-mail telling a subscriber that a project's colour changed."""
    w = wording
    said = _said(w, notice)
    headline = _told(
        notice,
        said,
        was=w._("Project {name} is now {rag} (it was {previous}) as of {day}."),
        plain=w._("Project {name} is now {rag} as of {day}."),
    )
    return _health_email(
        w,
        notice,
        subject=w._("Project {name} changed colour ({colour})").format(**said),
        news=[headline],
        reasons_heading=w._("Why:"),
        steps=[w._("Open the project in the PMO tool for its latest status report and trend.")],
    )


@dataclass(frozen=True, slots=True)
class EarlyWarningNotice:
    """A forecast warning about one index of a project (project.early_warning)."""

    project_name: str
    metric: str
    message: str
    as_of: date
    forecast_crossing_date: date | None = None
    # The warning in each language monitoring wrote it in, where it did.
    messages: Mapping[str, str] = field(default_factory=dict)


def compose_early_warning_email(wording: Wording, notice: EarlyWarningNotice) -> ComposedEmail:
    """The e-mail telling a subscriber that a project's forecast warns of trouble ahead."""
    w = wording
    crossing = (
        [
            w._("At this trend it crosses the red threshold on {day}.").format(
                day=w.day(notice.forecast_crossing_date)
            )
        ]
        if notice.forecast_crossing_date
        else []
    )
    return worded_email(
        w,
        w._("Early warning on {metric} for project {name}").format(
            metric=notice.metric, name=notice.project_name
        ),
        [
            w._("Project {name}, as of {day}: {message}").format(
                name=notice.project_name,
                day=w.day(notice.as_of),
                message=quoted(w, notice.message, notice.messages),
            ),
            *crossing,
            "",
            *glossary_section(w),
            *next_steps(
                w,
                w._("Check the forecast against your plan: what would change the trend?"),
                w._("Agree the corrective action with your team before the threshold is crossed."),
            ),
        ],
    )


def compose_early_warning_cleared_email(
    wording: Wording, *, project_name: str, metric: str, as_of: date
) -> ComposedEmail:
    """The e-mail telling a subscriber that a project's early warning no longer holds."""
    w = wording
    return worded_email(
        w,
        w._("Early warning on {metric} cleared for project {name}").format(
            metric=metric, name=project_name
        ),
        [
            w._(
                "Project {name}, as of {day}: the latest status report no longer shows the "
                "early warning on {metric}."
            ).format(name=project_name, day=w.day(as_of), metric=metric)
        ],
    )


def _told(notice: HealthNotice, said: dict[str, str], *, was: str, plain: str) -> str:
    # The sentence naming the colour it was, when the event says which.
    return (was if notice.previous_rag else plain).format(**said)


def _said(wording: Wording, notice: HealthNotice) -> dict[str, str]:
    # The fields every health sentence may name: the colour as a label in the sentences and as
    # a word in the subject.
    return {
        "name": notice.project_name,
        "rag": colour_label(wording, notice.rag),
        "colour": colour_word(wording, notice.rag),
        "previous": colour_word(wording, notice.previous_rag),
        "day": wording.day(notice.as_of),
    }


def _health_email(
    wording: Wording,
    notice: HealthNotice,
    *,
    subject: str,
    news: Sequence[str],
    reasons_heading: str,
    steps: Sequence[str],
) -> ComposedEmail:
    # The project's new state as of the event's date, its reasons and key figures, where the
    # terms are explained, then what to do.
    return worded_email(
        wording,
        subject,
        [
            *news,
            "",
            *reason_section(wording, notice.reasons, reasons_heading),
            *metric_section(wording, notice.metrics, notice.currency),
            *glossary_section(wording),
            *next_steps(wording, *steps),
        ],
    )
