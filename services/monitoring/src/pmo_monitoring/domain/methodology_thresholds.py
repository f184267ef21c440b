"""Which thresholds a project is judged by: the defaults, overridden by its methodology's."""

from __future__ import annotations

from collections.abc import Mapping

from pmo_monitoring.domain.model import DEFAULT_THRESHOLDS, Thresholds


def thresholds_for_methodology(
    *, report_cadence_days: int | None, overrides: Mapping[str, object] | None
) -> Thresholds:
    """Defaults, then the methodology's declared cadence, then its explicit thresholds.

    A methodology states its reporting cadence both as a field of its own and, optionally,
    inside its thresholds; the thresholds entry is the more specific and wins. Raises
    ValueError when the result is inconsistent (e.g. a red limit above the amber one).
    """
    base = DEFAULT_THRESHOLDS
    if report_cadence_days is not None:
        base = Thresholds.from_overrides({"report_cadence_days": report_cadence_days})
    return Thresholds.from_overrides(overrides, base=base)
