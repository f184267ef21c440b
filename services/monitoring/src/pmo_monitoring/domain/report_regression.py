"""Whether a status report goes back on what its project reported before.

Progress and cumulative cost only grow, and reports arrive in date order: a report whose
`percent_complete` or `actual_cost` goes down, or that lands behind a later report, rewrites
history. It is taken only as a correction (`correction: true` and a `correction_note` saying
why), so that the revision history shows who changed the record and for what reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pmo_monitoring.domain.model import StatusReport
from pmo_monitoring.domain.records import StoredReport
from pmo_monitoring.domain.report_acceptance import ReportProblem

_HOW_TO_CORRECT = "send correction: true with a correction_note to correct it"


@dataclass(frozen=True, slots=True)
class Correction:
    """A report's claim to correct the record, and why (blank when it makes none)."""

    correction: bool = False
    note: str | None = None


def check_correction(correction: Correction) -> list[ReportProblem]:
    """A correction needs its note; a note without `correction: true` would mislabel a report."""
    has_note = bool(correction.note and correction.note.strip())
    if correction.correction and not has_note:
        return [
            ReportProblem("correction_note", "correction_note is required with correction: true")
        ]
    if has_note and not correction.correction:
        return [
            ReportProblem(
                "correction_note", "correction_note is only accepted with correction: true"
            )
        ]
    return []


def check_report_goes_forward(
    contents: StatusReport,
    *,
    previous: StoredReport | None,
    replaces: bool,
    newest: date | None,
) -> list[ReportProblem]:
    """What the report takes back, each reason starting with its field; empty when it only
    moves forward.

    `previous` is the report it is judged against: the same-day report it replaces
    (`replaces`), else the latest one dated before it. `newest` is the as_of of the
    project's newest report before this one was filed.
    """
    problems: list[ReportProblem] = []
    if newest is not None and contents.as_of < newest:
        problems.append(
            ReportProblem(
                "as_of",
                f"as_of {contents.as_of} is before the latest report, as of {newest}; "
                + _HOW_TO_CORRECT,
            )
        )
    if previous is None:
        return problems
    where = f"reported on {previous.as_of}" + (" (the report it replaces)" if replaces else "")
    for field, now, before in (
        ("percent_complete", contents.percent_complete, previous.percent_complete),
        ("actual_cost", contents.actual_cost, previous.actual_cost),
    ):
        if now < before:
            problems.append(
                ReportProblem(
                    field,
                    f"{field} {_figure(now)} is below the {_figure(before)} {where}; "
                    + _HOW_TO_CORRECT,
                )
            )
    return problems


def _figure(value: float) -> str:
    """A figure as people write it: 30, 1000, 12.5 (not 30.0 or 1e+03)."""
    return f"{value:f}".rstrip("0").rstrip(".")
