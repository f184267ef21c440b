"""What a portfolio row does not carry about a project: how its reporting and colour stand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pmo_monitoring.domain.model import Rag
from pmo_monitoring.domain.records import StoredHealth


@dataclass(frozen=True, slots=True)
class ProjectTimeline:
    """A listed project's methodology, start and stored health, and its colour a week ago."""

    methodology: str
    closed: bool
    start_date: date
    health: StoredHealth | None
    point_a_week_ago: tuple[date, Rag] | None
    """(as_of, RAG) of the newest report on or before a week ago, if there was one."""
