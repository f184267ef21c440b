"""Command line: `python -m pmo_notifications migrate`."""

from __future__ import annotations

import sys

from pmo_notifications.migrate import migrate


def main(argv: list[str]) -> int:
    """Run the named command."""
    if argv[1:] == ["migrate"]:
        migrate()
        print("notifications: database migrated")
        return 0
    print("usage: python -m pmo_notifications migrate", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
