"""Command line: `python -m pmo_intake migrate`."""

from __future__ import annotations

import sys

from pmo_common.service_cli import run_command_line

from pmo_intake.migrate import migrate

if __name__ == "__main__":
    raise SystemExit(run_command_line("intake", sys.argv, migrate=migrate))
