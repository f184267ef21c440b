"""What the stack benchmarks collect: per-repetition samples, the table rows and the JSON line.

Every figure is measured three times (once in quick mode); the table shows the range over the
repetitions and their median, the JSON line the median alone. A figure that could not be
measured is `null` in the JSON, with its reason under `nulls`.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float | None]) -> float | None:
    """The median of the values that are known; None when none is."""
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def ratio(part: float | None, whole: float | None) -> float | None:
    """part / whole, None when either is unknown or the whole is zero."""
    if part is None or whole is None or whole == 0:
        return None
    return part / whole


def ratio_text(value: float | None) -> str:
    """A ratio below one as `0.018 (1/55)`."""
    if value is None or value == 0:
        return "null"
    return f"{value:.3f} (1/{1 / value:.0f})"


def milliseconds(values: Sequence[float | None]) -> list[float | None]:
    """Seconds as milliseconds, unknowns kept."""
    return [None if value is None else value * 1000 for value in values]


def spread(values: Sequence[float | None], unit: str = "", digits: int = 0) -> str:
    """`low-high (median)` of the repetitions, or the one value, in `unit`."""
    known = [value for value in values if value is not None]
    if not known:
        return "null"

    def shown(value: float) -> str:
        return f"{value:,.{digits}f}"

    middle = statistics.median(known)
    if len(known) == 1 or min(known) == max(known):
        return f"{shown(middle)}{unit}"
    return f"{shown(min(known))}-{shown(max(known))}{unit} (median {shown(middle)})"


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure, its baseline, the project's value and their ratio."""

    figure: str
    baseline: str
    project: str
    ratio: str


@dataclass
class Results:
    """Rows for the table and values for the JSON line, in the order they were measured."""

    rows: list[Row] = field(default_factory=list)
    values: dict[str, float | int | None] = field(default_factory=dict)
    nulls: dict[str, str] = field(default_factory=dict)

    def row(self, figure: str, baseline: str, project: str, ratio_text: str = "") -> None:
        """Add a line to the table."""
        self.rows.append(Row(figure, baseline, project, ratio_text))

    def value(self, key: str, number: float | None, *, digits: int = 4) -> None:
        """Record a JSON value (rounded); None needs a reason recorded with `missing`."""
        self.values[key] = None if number is None else round(number, digits)
        if number is None and key not in self.nulls:
            self.nulls[key] = "no sample was measured"

    def missing(self, keys: Sequence[str], reason: str) -> None:
        """Record `keys` as null because of `reason` (printed in the table too)."""
        for key in keys:
            self.values[key] = None
            self.nulls[key] = reason

    def table(self) -> str:
        """The rows as a Markdown table."""
        header = Row("figure", "baseline (same run)", "the project", "ratio")
        rows = [header, Row("---", "---", "---", "---"), *self.rows]
        return "\n".join(f"| {r.figure} | {r.baseline} | {r.project} | {r.ratio} |" for r in rows)

    def json_line(self) -> str:
        """One line of JSON: every value, and the reason of each null under `nulls`."""
        document: dict[str, object] = dict(self.values)
        if self.nulls:
            document["nulls"] = {key: self.nulls[key] for key in sorted(self.nulls)}
        return json.dumps(document, separators=(",", ":"))
