"""The shared test kit: one `eventually`, real Kafka, PostgreSQL, SMTP and webhook fixtures.

The fixtures are a pytest plugin (registered by pmo-stack's `pytest11` entry point), so every
suite in the tree can ask for `kafka_bootstrap`, `make_database`, `smtp_sink`,
`webhook_receiver` or `start_stack` (the four services running, as a `RunningStack` with its
`TokenFactory`) without a conftest of its own.
"""

from pmo_stack.arrivals import Arrivals
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit.answers import assert_problem, created
from pmo_stack.testkit.running_stack import RunningStack, StackStarter
from pmo_stack.testkit.tokens import FORGERIES, TokenFactory, bearer
from pmo_stack.testkit.waiting import eventually, wait_until
from pmo_stack.webhook_receiver import WebhookReceiver

__all__ = [
    "FORGERIES",
    "Arrivals",
    "RunningStack",
    "SmtpSink",
    "StackStarter",
    "TokenFactory",
    "WebhookReceiver",
    "assert_problem",
    "bearer",
    "created",
    "eventually",
    "wait_until",
]
