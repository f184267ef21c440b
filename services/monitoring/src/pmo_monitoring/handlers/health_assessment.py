"""Assessing a project's health from its latest report, storing it and publishing changes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.domain.early_warning import DEFAULT_EARLY_WARNING
from pmo_monitoring.domain.health_rules import HealthAssessment, assess_health
from pmo_monitoring.domain.hysteresis import signal_rags
from pmo_monitoring.domain.methodology_thresholds import thresholds_for_methodology
from pmo_monitoring.domain.model import DEFAULT_THRESHOLDS, Thresholds
from pmo_monitoring.domain.transitions import Transition, decide_transition
from pmo_monitoring.domain.trend import trend_points
from pmo_monitoring.handlers.domain_records import (
    baseline_from,
    metrics_record,
    reason_record,
    report_from,
)
from pmo_monitoring.handlers.event_publishing import EventEmitter
from pmo_monitoring.handlers.health_events import publish_transition

log = logging.getLogger(__name__)


def today_utc() -> date:
    """Today's date in UTC, the calendar every date rule of monitoring uses."""
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class ThresholdsInUse:
    """The thresholds a project is judged by and where they came from."""

    thresholds: Thresholds
    source: Literal["methodology", "defaults"]
    methodology_version: int | None


DEFAULTS_IN_USE = ThresholdsInUse(DEFAULT_THRESHOLDS, "defaults", None)


def thresholds_from(methodology: Mapping[str, Any] | None) -> ThresholdsInUse:
    """The thresholds of a stored methodology row, or the defaults when there is none."""
    if methodology is None:
        return DEFAULTS_IN_USE
    try:
        thresholds = thresholds_for_methodology(
            report_cadence_days=methodology["report_cadence_days"],
            overrides=methodology["thresholds"],
        )
    except ValueError:
        # Publications are validated on receipt, so only a row written by another release
        # can fail here; judging by the defaults beats failing every read.
        log.warning("stored thresholds of methodology %s are invalid", methodology["key"])
        return DEFAULTS_IN_USE
    return ThresholdsInUse(thresholds, "methodology", methodology["version"])


async def thresholds_in_use(session: AsyncSession, methodology_key: str) -> ThresholdsInUse:
    """The thresholds of the newest published version of a methodology, or the defaults."""
    return thresholds_from(await projections.get_methodology(session, methodology_key))


@dataclass(frozen=True, slots=True)
class ProjectAssessment:
    """A project's health as of today, with the thresholds and report it was judged on."""

    assessment: HealthAssessment
    thresholds: ThresholdsInUse
    latest_report: dict[str, Any] | None


async def judge_report(
    session: AsyncSession,
    project: Mapping[str, Any],
    report: Mapping[str, Any],
    thresholds: Thresholds,
    *,
    today: date,
) -> HealthAssessment:
    """Assess one stored report of a project as of `today`.

    Hysteresis: the signals' colours of the report just before it (its stored point of the
    history) are the previous assessment, so a CPI hovering around a threshold does not flip
    colour on every report. Whatever re-judges a report (a correction, a new baseline, today's
    read) gets the same previous colours. Trend: the indices of the reports before it,
    recomputed against the current baseline so that a re-baseline does not read as a trend.
    """
    as_of = report["as_of"]
    baseline = baseline_from(project)
    before = await reports.snapshot_before(session, project["id"], as_of)
    earlier = await reports.reports_before(
        session, project["id"], as_of, limit=DEFAULT_EARLY_WARNING.window
    )
    return assess_health(
        baseline,
        report_from(report),
        thresholds,
        today,
        as_of,
        previous=signal_rags(before["reasons"]) if before is not None else None,
        history=trend_points(baseline, [report_from(row) for row in earlier]),
    )


async def assess_project(
    session: AsyncSession, project: Mapping[str, Any], *, today: date
) -> ProjectAssessment:
    """Assess a project from its latest report (by as_of) without storing anything."""
    in_use = await thresholds_in_use(session, project["methodology"])
    latest = await reports.latest_report(session, project["id"])
    if latest is None:
        assessment = assess_health(baseline_from(project), None, in_use.thresholds, today, None)
    else:
        assessment = await judge_report(session, project, latest, in_use.thresholds, today=today)
    return ProjectAssessment(assessment, in_use, latest)


async def reassess_and_publish(
    session: AsyncSession, emit: EventEmitter, project: Mapping[str, Any], *, today: date
) -> ProjectAssessment | None:
    """Re-assess a project, store its health and publish the transition (None: no report yet).

    The stored RAG is what transitions are decided against, so it changes only here, in
    the same transaction as the events it causes.
    """
    judged = await assess_project(session, project, today=today)
    if judged.latest_report is None:
        return None
    assessment = judged.assessment
    previous = await reports.get_health(session, project["id"])
    transition: Transition = decide_transition(
        previous["rag"] if previous is not None else None, assessment.rag
    )
    reasons = [reason_record(reason) for reason in assessment.reasons]
    metrics = metrics_record(assessment.metrics)
    await reports.save_health(
        session,
        {
            "project_id": project["id"],
            "rag": assessment.rag,
            "reasons": reasons,
            "metrics": metrics,
            "as_of": assessment.as_of,
            "last_report_at": judged.latest_report["as_of"],
            "report_id": judged.latest_report["id"],
            "assessed_at": datetime.now(UTC),
        },
        exists=previous is not None,
    )
    await publish_transition(
        session,
        emit,
        project=project,
        assessment=assessment,
        transition=transition,
        reasons=reasons,
        metrics=metrics,
    )
    return judged


async def record_report_snapshot(
    session: AsyncSession, project: Mapping[str, Any], report: Mapping[str, Any]
) -> HealthAssessment:
    """Judge a filed report as of its own as_of and store it as its point of the history.

    A report judged on its own date has no overdue signal (that is a matter of today, not
    of the report), so a point's RAG says what the report's figures, milestones and the
    manager's RAG amounted to, against the baseline and thresholds in force when it was
    filed. A correction of the same day replaces the point.
    """
    in_use = await thresholds_in_use(session, project["methodology"])
    as_of = report["as_of"]
    assessment = await judge_report(session, project, report, in_use.thresholds, today=as_of)
    await reports.save_snapshot(
        session,
        {
            "report_id": report["id"],
            "project_id": project["id"],
            "as_of": as_of,
            "rag": assessment.rag,
            "reasons": [reason_record(reason) for reason in assessment.reasons],
            "metrics": metrics_record(assessment.metrics),
            "assessed_at": datetime.now(UTC),
        },
    )
    return assessment
