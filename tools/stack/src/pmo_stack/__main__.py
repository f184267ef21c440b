"""Command line: `python -m pmo_stack {kafka-jars,run,token,webhook-sink,replay-dlq}`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence

from pmo_stack.dev_stack import DEV_ADMIN_EMAIL, DEV_KAFKA_PORT, mint_token, run
from pmo_stack.dlq_replay import replay_dead_letters
from pmo_stack.kafka_broker import ensure_kafka_jars
from pmo_stack.webhook_receiver import WebhookReceiver


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m pmo_stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("kafka-jars", help="fetch the Kafka broker jars into the cache (once)")
    commands.add_parser("run", help="start Kafka, an SMTP sink and the four services")
    token = commands.add_parser("token", help="print a development JWT")
    token.add_argument("--role", action="append", help="role claim (repeatable; default pmo_admin)")
    token.add_argument("--email", default=DEV_ADMIN_EMAIL, help="email and sub claims")
    sink = commands.add_parser("webhook-sink", help="print every webhook POSTed to a local port")
    sink.add_argument("--port", type=int, default=9000, help="port on 127.0.0.1 (default 9000)")
    replay = commands.add_parser(
        "replay-dlq",
        help="re-publish dead letters to their original topics (see docs/dead-letters.md)",
    )
    replay.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("PMO_KAFKA_BOOTSTRAP_SERVERS") or f"127.0.0.1:{DEV_KAFKA_PORT}",
        help="Kafka bootstrap servers (default: PMO_KAFKA_BOOTSTRAP_SERVERS, else the dev broker)",
    )
    replay.add_argument(
        "--topic",
        action="append",
        help="event type or dead-letter topic (repeatable; default: every catalog topic's DLQ)",
    )
    replay.add_argument(
        "--dry-run", action="store_true", help="list what would be replayed, change nothing"
    )
    args = parser.parse_args(argv)

    if args.command == "kafka-jars":
        print(ensure_kafka_jars())
        return 0
    if args.command == "token":
        print(mint_token(os.environ, email=args.email, roles=args.role or ["pmo_admin"]))
        return 0
    if args.command == "webhook-sink":
        return _print_webhooks(args.port)
    if args.command == "replay-dlq":
        return _replay_dead_letters(args.bootstrap_servers, args.topic, dry_run=args.dry_run)
    return run(os.environ)


def _replay_dead_letters(bootstrap: str, topics: list[str] | None, *, dry_run: bool) -> int:
    """Replay (or list) dead letters, one line each, then a summary line."""
    prefix = "would replay" if dry_run else "replayed"
    summary = asyncio.run(
        replay_dead_letters(
            bootstrap,
            topics,
            dry_run=dry_run,
            on_dead_letter=lambda letter: print(f"{prefix} {letter.describe()}", flush=True),
        )
    )
    print(summary.describe())
    return 0


def _print_webhooks(port: int) -> int:
    """Receive webhooks on 127.0.0.1:port and print each one until Ctrl-C."""
    with WebhookReceiver("127.0.0.1", port) as receiver:
        print(f"listening on {receiver.url}; Ctrl-C stops", flush=True)
        shown = 0
        try:
            while True:
                time.sleep(0.2)
                for request in receiver.requests[shown:]:
                    webhook_id = request.headers.get("webhook-id")
                    print(f"{request.method} {request.path} webhook-id={webhook_id}")
                    print(request.body.decode(errors="replace"), flush=True)
                shown = len(receiver.requests)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
