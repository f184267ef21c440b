"""Alert and event severities, ordered from least to most urgent."""

from __future__ import annotations

SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """Position of a severity in the order info < warning < critical (ValueError if unknown)."""
    try:
        return _RANK[severity]
    except KeyError:
        raise ValueError(
            f"unknown severity '{severity}'; use one of: {', '.join(SEVERITIES)}"
        ) from None


def is_at_least(severity: str, minimum: str) -> bool:
    """Whether `severity` is as urgent as `minimum` or more."""
    return severity_rank(severity) >= severity_rank(minimum)


def is_escalation(previous: str, current: str) -> bool:
    """Whether `current` is strictly more urgent than `previous`."""
    return severity_rank(current) > severity_rank(previous)
