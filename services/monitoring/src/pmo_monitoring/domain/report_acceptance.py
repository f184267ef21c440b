"""Whether a status report fits its project's baseline: dates and milestone names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pmo_monitoring.domain.model import ProjectBaseline

_LISTED_NAMES = 10


@dataclass(frozen=True, slots=True)
class ReportProblem:
    """Why a report cannot be accepted, naming the offending field (e.g. `milestones.0.name`)."""

    field: str
    reason: str


def check_report_fits_baseline(
    baseline: ProjectBaseline, *, as_of: date, milestone_names: Sequence[str], today: date
) -> list[ReportProblem]:
    """Problems with a report's date and milestones; empty when it can be accepted.

    A report may not be dated before the project starts or after `today`. Milestones are
    matched to the baseline by name as the health rules match them (case and surrounding
    spaces ignored); an unknown or repeated name is refused, because a misspelt milestone
    reported done would otherwise leave the real one counted as late.
    """
    problems: list[ReportProblem] = []
    if as_of < baseline.start_date:
        problems.append(
            ReportProblem(
                "as_of",
                f"{as_of} is before the project's start date {baseline.start_date}",
            )
        )
    if as_of > today:
        problems.append(ReportProblem("as_of", f"{as_of} is in the future (today is {today}, UTC)"))
    known = {milestone.name.strip().casefold() for milestone in baseline.milestones}
    seen: set[str] = set()
    for index, name in enumerate(milestone_names):
        key = name.strip().casefold()
        if key not in known:
            problems.append(
                ReportProblem(f"milestones.{index}.name", _unknown_milestone(name, baseline))
            )
        elif key in seen:
            problems.append(
                ReportProblem(f"milestones.{index}.name", f'"{name}" is reported more than once')
            )
        seen.add(key)
    return problems


def _unknown_milestone(name: str, baseline: ProjectBaseline) -> str:
    names = [milestone.name for milestone in baseline.milestones]
    if not names:
        return f'"{name}" is not a milestone of the baseline, which has none'
    listed = ", ".join(f'"{n}"' for n in names[:_LISTED_NAMES])
    more = f" and {len(names) - _LISTED_NAMES} more" if len(names) > _LISTED_NAMES else ""
    return f'"{name}" is not a milestone of the baseline ({listed}{more})'
