"""Which library entries to suggest to a project in difficulty.

Monitoring's reasons name a metric (`cpi`, `spi_t`, `milestone_days_late`, ...) and a code
(`eac_over_budget`, `report_overdue`, ...). Each maps to one of a few topics the PMO tags its
practices with; the entries sharing the most topics with the case come first, newest first
among equals.
"""

from __future__ import annotations

from collections.abc import Iterable

from pmo_standards.domain.interventions import PracticeRef, ReasonNote
from pmo_standards.domain.practices import Practice

COST = "cost"
SCHEDULE = "schedule"
MILESTONES = "milestones"
RISK = "risk"
REPORTING = "reporting"
TOPICS = (COST, SCHEDULE, MILESTONES, RISK, REPORTING)
MAX_SUGGESTIONS = 5

# Prefixes of a metric or a code, and the topic they belong to; the first match wins. Trend
# warnings name the index they extrapolate (`cpi_days_to_red`), so prefixes, not exact names.
_TOPIC_PREFIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("cpi", "vac", "eac", "etc", "tcpi", "cost", "optimism"), COST),
    (("spi", "forecast", "schedule"), SCHEDULE),
    (("milestone",), MILESTONES),
    (("risk", "dependency"), RISK),
    (("report", "days_since_last_report", "overdue"), REPORTING),
)


def _topic_of_name(name: str | None) -> str | None:
    if not name:
        return None
    folded = name.casefold()
    for prefixes, topic in _TOPIC_PREFIXES:
        if folded.startswith(prefixes):
            return topic
    return None


def topic_of(reason: ReasonNote) -> str | None:
    """The topic a reason belongs to: by its metric, else by its code (None: no topic)."""
    return _topic_of_name(reason.metric) or _topic_of_name(reason.code)


def topics_of(reasons: Iterable[ReasonNote]) -> tuple[str, ...]:
    """The distinct topics of the reasons, in the order they first appear."""
    found = (topic_of(reason) for reason in reasons)
    return tuple(dict.fromkeys(topic for topic in found if topic is not None))


def rank_suggestions(
    practices: Iterable[Practice], topics: Iterable[str], *, limit: int = MAX_SUGGESTIONS
) -> tuple[PracticeRef, ...]:
    """The best `limit` entries: most tags among the topics first, then the newest."""
    wanted = frozenset(topics)
    scored = [
        (len(wanted.intersection(practice.tags)), practice)
        for practice in practices
        if wanted.intersection(practice.tags)
    ]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].created_at.timestamp(), pair[1].id))
    return tuple(PracticeRef(id=p.id, title=p.title) for _score, p in scored[:limit])
