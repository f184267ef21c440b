"""Assessing a project's health from its latest report, storing it and publishing changes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import health_repository as healths
from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.domain.early_warning import DEFAULT_EARLY_WARNING
from pmo_monitoring.domain.health_rules import HealthAssessment, ReportJudgement, assess_health
from pmo_monitoring.domain.health_rules import judge_report as judge_signals_of
from pmo_monitoring.domain.methodology_thresholds import thresholds_for_methodology
from pmo_monitoring.domain.model import DEFAULT_THRESHOLDS, Thresholds
from pmo_monitoring.domain.records import (
    Methodology,
    MonitoredProject,
    ProjectContext,
    RecordedHealth,
    ReportWithPoint,
    StoredHealth,
    StoredReport,
    metrics_record,
    reason_records,
)
from pmo_monitoring.domain.transitions import decide_transition
from pmo_monitoring.domain.trend import trend_points
from pmo_monitoring.handlers.early_warning_publishing import publish_early_warnings
from pmo_monitoring.handlers.health_transitions import publish_transition
from pmo_monitoring.handlers.raid_signals import register_signals
from pmo_monitoring.languages import spoken_languages

log = logging.getLogger(__name__)

TREND_WINDOW = DEFAULT_EARLY_WARNING.window
"""How many earlier reports a judgement reads for its trend."""


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


def thresholds_from(methodology: Methodology | None) -> ThresholdsInUse:
    """The thresholds of a stored methodology, or the defaults when there is none."""
    if methodology is None:
        return DEFAULTS_IN_USE
    try:
        thresholds = thresholds_for_methodology(
            report_cadence_days=methodology.report_cadence_days,
            overrides=methodology.thresholds,
        )
    except ValueError:
        # Publications are validated on receipt, so only a row written by another release
        # can fail here; judging by the defaults beats failing every read.
        log.warning("stored thresholds of methodology %s are invalid", methodology.key)
        return DEFAULTS_IN_USE
    return ThresholdsInUse(thresholds, "methodology", methodology.version)


@dataclass(frozen=True, slots=True)
class ProjectAssessment:
    """A project's health as of today, with the thresholds and report it was judged on."""

    assessment: HealthAssessment
    thresholds: ThresholdsInUse
    latest_report: StoredReport | None


def earlier_reports(
    recent: Sequence[ReportWithPoint], as_of: date, *, fetched_all: bool
) -> list[ReportWithPoint] | None:
    """The TREND_WINDOW newest reports before `as_of` among `recent` (newest first).

    None when `recent` (the newest reports, fetched with a limit) may be missing some of
    them; `fetched_all` says the project has no reports beyond `recent`.
    """
    earlier = [item for item in recent if item.report.as_of < as_of]
    if fetched_all or len(earlier) >= TREND_WINDOW:
        return earlier[:TREND_WINDOW]
    return None


async def judge_report(
    session: AsyncSession,
    project: MonitoredProject,
    report: StoredReport,
    thresholds: Thresholds,
    *,
    earlier: Sequence[ReportWithPoint],
    today: date,
) -> ReportJudgement:
    """Judge one stored report once: as of its own as_of, and as of `today`.

    `earlier` are the TREND_WINDOW newest reports before it, newest first. Hysteresis: the
    signals' colours of the report just before it (its stored point of the history) are the
    previous assessment, so a CPI hovering around a threshold does not flip colour on every
    report. Whatever re-judges a report (a correction, a new baseline, today's read) gets the
    same previous colours. Trend: the indices of the reports before it, recomputed against the
    current baseline so that a re-baseline does not read as a trend.
    """
    before: StoredHealth | None = None
    if earlier:
        before = earlier[0].point
        if before is None:  # the report before it was filed before points were stored
            before = await healths.point_before(session, project_id=project.id, as_of=report.as_of)
    baseline = project.baseline()
    judged = judge_signals_of(
        baseline,
        report.contents,
        thresholds,
        today,
        previous=before.signal_rags if before is not None else None,
        history=trend_points(baseline, [item.report.contents for item in earlier]),
    )
    # The RAID register's dependencies at risk and risk exposure (docs/adr/0025).
    return await register_signals(session, project, judged, thresholds)


async def assess_project(
    session: AsyncSession, context: ProjectContext, *, today: date
) -> ProjectAssessment:
    """Assess a project from its latest report (by as_of) without storing anything."""
    in_use = thresholds_from(context.methodology)
    project = context.project
    recent = await reports.latest_reports(session, project_id=project.id, limit=TREND_WINDOW + 1)
    if not recent:
        assessment = assess_health(project.baseline(), None, in_use.thresholds, today, None)
        return ProjectAssessment(assessment, in_use, None)
    latest = recent[0].report
    judged = await judge_report(
        session, project, latest, in_use.thresholds, earlier=recent[1:], today=today
    )
    return ProjectAssessment(judged.today, in_use, latest)


async def store_health(
    session: AsyncSession, project: MonitoredProject, judged: ProjectAssessment
) -> RecordedHealth | None:
    """Store a project's assessment over its previous one (nothing before a report).

    The stored RAG is what transitions are decided against, so it changes only here, in
    the same transaction as the events it causes (`publish_health`); the statement that
    stores the health answers the RAG and reasons it replaced and the new health version.
    """
    latest = judged.latest_report
    if latest is None:
        return None
    health = stored_health(project, latest, judged.assessment)
    return await healths.replace_health(session, health=health)


async def publish_health(
    session: AsyncSession,
    project: MonitoredProject,
    judged: ProjectAssessment,
    recorded: RecordedHealth,
) -> None:
    """Publish what a stored health changed: its transition, then its early-warning episodes."""
    await publish_transition(
        session,
        project=project,
        transition=decide_transition(recorded.previous_rag, recorded.health.rag),
        recorded=recorded,
    )
    await publish_early_warnings(
        session,
        project=project,
        assessment=judged.assessment,
        thresholds=judged.thresholds.thresholds,
        recorded=recorded,
    )


async def record_health(
    session: AsyncSession, project: MonitoredProject, judged: ProjectAssessment
) -> RecordedHealth | None:
    """Store a project's assessment and publish what it changed (nothing before a report)."""
    recorded = await store_health(session, project, judged)
    if recorded is not None:
        await publish_health(session, project, judged, recorded)
    return recorded


async def reassess_and_publish(
    session: AsyncSession, context: ProjectContext, *, today: date
) -> ProjectAssessment:
    """Re-assess a project, store its health and publish the transition (after a change)."""
    judged = await assess_project(session, context, today=today)
    await record_health(session, context.project, judged)
    return judged


def stored_health(
    project: MonitoredProject, report: StoredReport, assessment: HealthAssessment
) -> StoredHealth:
    """A report's assessment as stored: judged as of its own as_of, its point of the health
    history; judged as of today (when it is the latest), the project's health."""
    return StoredHealth(
        project_id=project.id,
        rag=assessment.rag,
        reasons=tuple(reason_records(assessment.reasons, spoken_languages())),
        metrics=metrics_record(assessment.metrics),
        as_of=report.as_of,
        last_report_at=report.as_of,
        report_id=report.id,
        assessed_at=datetime.now(UTC),
        baseline_version=project.baseline_version,
    )
