"""A stored assessment's RAG brought up to today, when only the passing of time has changed."""

from __future__ import annotations

from datetime import date

from pmo_monitoring.domain.model import Rag, Thresholds
from pmo_monitoring.domain.reasons import worst_rag
from pmo_monitoring.domain.reporting_cadence import check_report_overdue


def rag_as_of_today(
    stored_rag: Rag | None,
    *,
    start_date: date,
    last_report_at: date | None,
    today: date,
    thresholds: Thresholds,
) -> Rag:
    """The RAG `assess_health` would give today, from the RAG stored at the last assessment.

    Metrics and milestones are judged as of the report's date, so the only signal that moves
    with time alone is an overdue report (amber). `stored_rag` is None before any report.
    """
    overdue = check_report_overdue(
        start_date=start_date, last_report_at=last_report_at, today=today, thresholds=thresholds
    )
    signals: list[Rag] = [] if overdue is None else ["amber"]
    if stored_rag is None:
        return worst_rag(signals, default="unknown")
    return worst_rag([stored_rag, *signals], default=stored_rag)
