"""Command line: `python -m pmo_stack {kafka-jars,run,token}`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from pmo_stack.dev_stack import DEV_ADMIN_EMAIL, mint_token, run
from pmo_stack.kafka_broker import ensure_kafka_jars


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m pmo_stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("kafka-jars", help="fetch the Kafka broker jars into the cache (once)")
    commands.add_parser("run", help="start Kafka, an SMTP sink and the four services")
    token = commands.add_parser("token", help="print a development JWT")
    token.add_argument("--role", action="append", help="role claim (repeatable; default pmo_admin)")
    token.add_argument("--email", default=DEV_ADMIN_EMAIL, help="email and sub claims")
    args = parser.parse_args(argv)

    if args.command == "kafka-jars":
        print(ensure_kafka_jars())
        return 0
    if args.command == "token":
        print(mint_token(os.environ, email=args.email, roles=args.role or ["pmo_admin"]))
        return 0
    return run(os.environ)


if __name__ == "__main__":
    sys.exit(main())
