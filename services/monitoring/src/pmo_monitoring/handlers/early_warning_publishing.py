"""The events of early-warning episodes: project.early_warning when one starts,
project.early_warning_cleared when it ends (docs/adr/0007)."""

from __future__ import annotations

from pmo_common.db.rows import values_of
from pmo_common.events.catalog import EARLY_WARNING, EARLY_WARNING_CLEARED
from pmo_common.events.payloads import EarlyWarning, EarlyWarningCleared
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db.outbox import outbox
from pmo_monitoring.domain.assessment import HealthAssessment
from pmo_monitoring.domain.early_warning_episodes import (
    episode_changes,
    shown_warnings,
    warnings_in,
)
from pmo_monitoring.domain.model import Thresholds
from pmo_monitoring.domain.phrases import worded
from pmo_monitoring.domain.records import MonitoredProject, RecordedHealth
from pmo_monitoring.handlers.health_transitions import alert_subject
from pmo_monitoring.languages import spoken_languages


async def publish_early_warnings(
    session: AsyncSession,
    *,
    project: MonitoredProject,
    assessment: HealthAssessment,
    thresholds: Thresholds,
    recorded: RecordedHealth,
) -> None:
    """Publish the episodes a stored health starts and ends, against the health it replaced.

    An episode is under way while the project's stored health shows its warning. The upsert
    that stored `recorded` handed back the reasons it replaced, read by the statement that
    orders a project's healths (its version), so each health is compared with the one just
    before it: a warning still shown, a replay, a correction or a back-dated report showing
    the same warnings publishes nothing, and two writers never start the same episode.
    """
    shown = shown_warnings(assessment, thresholds)
    before = warnings_in(recorded.previous_reasons)
    if not shown and not before:
        return  # the usual report: no warning before, none now
    changes = episode_changes(before, shown)
    subject = alert_subject(project)
    said = {"as_of": recorded.health.as_of, "health_version": recorded.version}
    for warning in changes.started:
        # The warning's phrase in every language, as its reason is stored and published.
        messages = {
            language.code: worded(warning.message, language) for language in spoken_languages()
        }
        started = EarlyWarning.model_validate(
            {**subject, **values_of(warning), **said, "messages": messages}
        )
        await outbox.enqueue(session, EARLY_WARNING, started, subject=project.id)
    for ended in changes.ended:
        cleared = EarlyWarningCleared.model_validate({**subject, **values_of(ended), **said})
        await outbox.enqueue(session, EARLY_WARNING_CLEARED, cleared, subject=project.id)
