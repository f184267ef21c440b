"""Run every benchmark: `uv run python -m bench [--projects N] [--seed S]`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from bench import health_recompute, report_path_costs

BENCHMARKS: tuple[Callable[[Sequence[str] | None], None], ...] = (
    health_recompute.main,
    report_path_costs.main,
)


def main(argv: Sequence[str] | None = None) -> None:
    """Run each benchmark in turn with the same arguments."""
    for benchmark in BENCHMARKS:
        benchmark(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
