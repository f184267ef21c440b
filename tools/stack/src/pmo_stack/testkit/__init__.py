"""The shared test kit: one `eventually`, real Kafka, PostgreSQL, SMTP and webhook fixtures.

The fixtures are a pytest plugin (registered by pmo-stack's `pytest11` entry point), so every
suite in the tree can ask for `kafka_bootstrap`, `make_database`, `smtp_sink` or
`webhook_receiver` without a conftest of its own.
"""

from pmo_stack.arrivals import Arrivals
from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.testkit.waiting import eventually
from pmo_stack.webhook_receiver import WebhookReceiver

__all__ = ["Arrivals", "SmtpSink", "WebhookReceiver", "eventually"]
