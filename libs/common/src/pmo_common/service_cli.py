"""The command line every service answers: `python -m pmo_<service> migrate`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


def run_command_line(service: str, argv: Sequence[str], *, migrate: Callable[[], None]) -> int:
    """Run the command named in `argv` (sys.argv) and return the process exit status."""
    if list(argv[1:]) == ["migrate"]:
        migrate()
        print(f"{service}: database migrated")
        return 0
    # Anything else, extra options included, is refused: the image's entrypoint passes them on.
    print(f"usage: python -m pmo_{service} migrate", file=sys.stderr)
    return 2
