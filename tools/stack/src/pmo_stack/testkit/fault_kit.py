"""What every fault scenario works with, as one object: the shared stack, its broker, a load of
projects of the scenario's own and the ledger that counts what came of it.

One fixture instead of one per part, so a scenario's signature names its fault, not its plumbing.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from pmo_stack.testkit.alert_load import AtRiskLoad
from pmo_stack.testkit.fault_counts import Ledger
from pmo_stack.testkit.running_stack import RunningStack
from pmo_stack.testkit.stack_ledger import diagnosis
from pmo_stack.testkit.told import WebhookTarget


@dataclass(frozen=True)
class FaultKit:
    """The shared stack with its own webhook receiver subscribed at `hook_path`, its Kafka
    bootstrap servers, and an HTTP client for the services' public API."""

    stack: RunningStack
    http: httpx.AsyncClient
    kafka_bootstrap: str
    hook_path: str

    def new_load(self, scenario: str) -> AtRiskLoad:
        """A scenario's load of projects on the shared stack; when it waits in vain, it says
        where its events stopped."""
        load = AtRiskLoad(self.stack, self.http, scenario)

        async def where_it_stopped() -> str:
            return await diagnosis(self.http, load.urls, self.kafka_bootstrap, load.ids)

        load.diagnose = where_it_stopped
        return load

    def ledger(self, load: AtRiskLoad, **targets: WebhookTarget) -> Ledger:
        """Where `load`'s outcome is counted: the stack's own webhook receiver and the extra
        webhook targets named by keyword."""
        ours = WebhookTarget(self.stack.webhooks, self.hook_path)
        return Ledger(load, self.kafka_bootstrap, {"webhook": ours, **targets})
