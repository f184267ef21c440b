"""Division that answers None instead of raising or returning infinity."""

from __future__ import annotations

import math


def ratio_or_none(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is zero or the result overflows."""
    if denominator == 0:
        return None
    result = numerator / denominator
    return result if math.isfinite(result) else None
