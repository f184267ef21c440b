"""Methodologies: phases, gates with required deliverables, reporting cadence and tolerances."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")

# Tolerance keys monitoring reads; every one is an optional override of its defaults.
INDEX_KEYS = ("cpi_amber", "cpi_red", "spi_amber", "spi_red")
RATIO_KEYS = ("eac_amber_ratio", "eac_red_ratio")
DAY_KEYS = ("milestone_red_days_late", "report_cadence_days", "report_grace_days")
THRESHOLD_KEYS: tuple[str, ...] = INDEX_KEYS + RATIO_KEYS + DAY_KEYS

# ARCHITECTURE.md's health table: what monitoring applies where a methodology says nothing.
DEFAULT_THRESHOLDS: Mapping[str, float] = {
    "cpi_amber": 0.95,
    "cpi_red": 0.90,
    "spi_amber": 0.95,
    "spi_red": 0.90,
    "eac_amber_ratio": 1.05,
    "eac_red_ratio": 1.10,
    "milestone_red_days_late": 14,
    "report_cadence_days": 14,
    "report_grace_days": 3,
}
DEFAULT_CADENCE_DAYS = 14
MIN_CADENCE_DAYS = 1
MAX_CADENCE_DAYS = 90
MAX_DAYS = 365
MAX_RATIO = 5.0


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One reason a definition is refused, naming the field (dotted path) it concerns."""

    field: str
    reason: str


class RuleViolation(Exception):
    """A command breaks a rule; carries the issues, each naming its field."""

    def __init__(self, issues: list[FieldIssue]) -> None:
        super().__init__("; ".join(f"{i.field}: {i.reason}" for i in issues))
        self.issues = issues


@dataclass(frozen=True, slots=True)
class Gate:
    """A decision point closing a phase, with the deliverables it requires."""

    key: str
    name: str
    phase: str | None
    required_deliverables: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Methodology:
    """What a methodology prescribes; `thresholds` always carries `report_cadence_days`."""

    key: str
    name: str
    description: str | None
    phases: tuple[str, ...]
    gates: tuple[Gate, ...]
    report_cadence_days: int
    thresholds: Mapping[str, float] = field(default_factory=dict)

    def gate(self, key: str) -> Gate | None:
        """The gate with this key, or None."""
        return next((gate for gate in self.gates if gate.key == key), None)


@dataclass(frozen=True, slots=True)
class PublishedMethodology:
    """A methodology as published: its content, version and who published it when."""

    methodology: Methodology
    version: int
    created_at: datetime
    updated_at: datetime
    published_by: str


def deliverable_key(name: str) -> str:
    """How deliverable names compare: case, spaces, hyphens and punctuation do not matter."""
    return _NOT_ALPHANUMERIC.sub("_", name.casefold()).strip("_")


def resolve_cadence(declared: int | None, thresholds: Mapping[str, float]) -> int:
    """The reporting cadence: the declared one, else the threshold's, else the default.

    Raises RuleViolation when both are given and disagree, since monitoring reads the threshold
    and people read the field: they must never tell different stories.
    """
    in_thresholds = thresholds.get("report_cadence_days")
    if declared is not None and in_thresholds is not None and in_thresholds != declared:
        raise RuleViolation(
            [
                FieldIssue(
                    "thresholds.report_cadence_days",
                    f"is {in_thresholds:g} but report_cadence_days is {declared}; "
                    "give the cadence once or make both agree",
                )
            ]
        )
    if declared is not None:
        return declared
    if in_thresholds is not None and math.isfinite(in_thresholds):
        return int(in_thresholds)
    return DEFAULT_CADENCE_DAYS


def build_methodology(
    *,
    key: str,
    name: str,
    description: str | None,
    phases: list[str],
    gates: list[Gate],
    report_cadence_days: int | None,
    thresholds: Mapping[str, float],
) -> Methodology:
    """A validated methodology; raises RuleViolation listing every issue found."""
    issues = threshold_issues(thresholds)
    if report_cadence_days is not None and (reason := _cadence_problem(report_cadence_days)):
        issues.append(FieldIssue("report_cadence_days", reason))
    if issues:
        cadence = report_cadence_days or DEFAULT_CADENCE_DAYS
    else:
        cadence = resolve_cadence(report_cadence_days, thresholds)
    stored = {k: _as_number(k, v) for k, v in thresholds.items()}
    stored["report_cadence_days"] = cadence
    methodology = Methodology(
        key=key,
        name=name.strip(),
        description=description,
        phases=tuple(phases),
        gates=tuple(gates),
        report_cadence_days=cadence,
        thresholds=stored,
    )
    issues = _structure_issues(methodology) + issues
    if issues:
        raise RuleViolation(issues)
    return methodology


def _as_number(key: str, value: float) -> float:
    # Day counts stay whole numbers, so they read as days and not as 14.0.
    if key in DAY_KEYS and math.isfinite(value) and value == int(value):
        return int(value)
    return float(value)


def methodology_issues(methodology: Methodology) -> list[FieldIssue]:
    """Every rule the methodology breaks (empty when it is valid)."""
    issues = _structure_issues(methodology)
    if reason := _cadence_problem(methodology.report_cadence_days):
        issues.append(FieldIssue("report_cadence_days", reason))
    # The threshold copy of the cadence is the field itself, so it is checked once, above.
    others = dict(methodology.thresholds)
    if others.get("report_cadence_days") == methodology.report_cadence_days:
        del others["report_cadence_days"]
    issues.extend(threshold_issues(others))
    return issues


def _structure_issues(methodology: Methodology) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    if not KEY_PATTERN.fullmatch(methodology.key):
        issues.append(
            FieldIssue(
                "key",
                "must start with a lowercase letter and hold 2 to 64 lowercase letters, "
                "digits, '_' or '-'",
            )
        )
    if not methodology.name:
        issues.append(FieldIssue("name", "must not be blank"))
    issues.extend(_phase_issues(methodology.phases))
    issues.extend(_gate_issues(methodology.gates, methodology.phases))
    return issues


def _cadence_problem(days: float) -> str | None:
    if days != int(days) or not MIN_CADENCE_DAYS <= days <= MAX_CADENCE_DAYS:
        return f"must be a whole number of days between {MIN_CADENCE_DAYS} and {MAX_CADENCE_DAYS}"
    return None


def threshold_issues(thresholds: Mapping[str, float]) -> list[FieldIssue]:
    """Unknown keys, out-of-range values and amber/red limits in the wrong order.

    A partial override is checked together with the defaults it leaves in place, because that
    is what monitoring will apply (a lone `cpi_red` of 0.97 would sit above the default amber).
    """
    issues: list[FieldIssue] = []
    known = ", ".join(THRESHOLD_KEYS)
    for key, value in thresholds.items():
        path = f"thresholds.{key}"
        if key not in THRESHOLD_KEYS:
            issues.append(FieldIssue(path, f"is not a known threshold; known ones are {known}"))
        elif not math.isfinite(value):
            issues.append(FieldIssue(path, "must be a finite number"))
        elif (reason := _range_problem(key, value)) is not None:
            issues.append(FieldIssue(path, reason))
    if issues:
        return issues
    effective = {**DEFAULT_THRESHOLDS, **thresholds}
    for index in ("cpi", "spi"):
        amber, red = effective[f"{index}_amber"], effective[f"{index}_red"]
        if red > amber:
            issues.append(
                FieldIssue(
                    f"thresholds.{_blamed(thresholds, f'{index}_red', f'{index}_amber')}",
                    f"{index}_red ({red:g}) must not be above {index}_amber ({amber:g}): "
                    "red is the worse signal, so it trips at the lower index",
                )
            )
    amber, red = effective["eac_amber_ratio"], effective["eac_red_ratio"]
    if red < amber:
        issues.append(
            FieldIssue(
                f"thresholds.{_blamed(thresholds, 'eac_red_ratio', 'eac_amber_ratio')}",
                f"eac_red_ratio ({red:g}) must not be below eac_amber_ratio ({amber:g}): "
                "red is the worse signal, so it trips at the larger overrun",
            )
        )
    return issues


def _range_problem(key: str, value: float) -> str | None:
    if key in INDEX_KEYS and not 0 < value <= 1:
        return "must be above 0 and at most 1 (an index of 1 means exactly on plan)"
    if key in RATIO_KEYS and not 1 <= value <= MAX_RATIO:
        return f"must be between 1 and {MAX_RATIO:g} (a multiple of the budget at completion)"
    if key == "report_cadence_days":
        return _cadence_problem(value)
    if key in DAY_KEYS and (value != int(value) or not 0 <= value <= MAX_DAYS):
        return f"must be a whole number of days between 0 and {MAX_DAYS}"
    return None


def _blamed(given: Mapping[str, float], red_key: str, amber_key: str) -> str:
    # Name the key the caller actually sent, so the error points at something they wrote.
    return red_key if red_key in given or amber_key not in given else amber_key


def _phase_issues(phases: tuple[str, ...]) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    if not phases:
        issues.append(FieldIssue("phases", "must name at least one phase"))
    seen: set[str] = set()
    for position, phase in enumerate(phases):
        if not phase.strip():
            issues.append(FieldIssue(f"phases.{position}", "must not be blank"))
        elif phase in seen:
            issues.append(FieldIssue(f"phases.{position}", f"repeats the phase '{phase}'"))
        seen.add(phase)
    return issues


def _gate_issues(gates: tuple[Gate, ...], phases: tuple[str, ...]) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    seen: set[str] = set()
    for position, gate in enumerate(gates):
        path = f"gates.{position}"
        if not KEY_PATTERN.fullmatch(gate.key):
            issues.append(
                FieldIssue(
                    f"{path}.key",
                    "must start with a lowercase letter and hold 2 to 64 lowercase letters, "
                    "digits, '_' or '-'",
                )
            )
        elif gate.key in seen:
            issues.append(FieldIssue(f"{path}.key", f"repeats the gate '{gate.key}'"))
        seen.add(gate.key)
        if not gate.name.strip():
            issues.append(FieldIssue(f"{path}.name", "must not be blank"))
        if gate.phase is not None and gate.phase not in phases:
            issues.append(FieldIssue(f"{path}.phase", f"'{gate.phase}' is not one of the phases"))
        issues.extend(_deliverable_issues(path, gate.required_deliverables))
    return issues


def _deliverable_issues(path: str, names: tuple[str, ...]) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    seen: set[str] = set()
    for position, name in enumerate(names):
        field_path = f"{path}.required_deliverables.{position}"
        canonical = deliverable_key(name)
        if not canonical:
            issues.append(FieldIssue(field_path, "must name the deliverable"))
        elif canonical in seen:
            issues.append(FieldIssue(field_path, f"repeats the deliverable '{name}'"))
        seen.add(canonical)
    return issues
