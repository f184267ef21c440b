"""A circuit breaker per target: a dead target does not eat the attempts of its deliveries while
live targets keep receiving theirs.

The rules are tested as plain functions of time; then the delivery job against a real receiver
that answers 503 to everything, beside one that works.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

import pytest
from pmo_notifications.domain.circuit_breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreakers
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.sending import SendOutcome
from pmo_stack.testkit import eventually
from pmo_stack.webhook_receiver import WebhookReceiver

TARGET = "http://127.0.0.1:9"


def breakers() -> CircuitBreakers:
    return CircuitBreakers(failure_threshold=3, open_seconds=10.0)


def fail(circuits: CircuitBreakers, times: int, *, at: float = 0.0) -> None:
    for _ in range(times):
        circuits.record(TARGET, succeeded=False, now=at)


def test_a_circuit_opens_after_the_threshold_of_failures_in_a_row() -> None:
    circuits = breakers()
    fail(circuits, 2)
    assert circuits.admit(TARGET, now=0.0).allowed
    circuits.record(TARGET, succeeded=True, now=0.0)
    fail(circuits, 2)
    assert circuits.state(TARGET, now=0.0) == CLOSED, "a success starts the count again"
    fail(circuits, 1)
    assert circuits.state(TARGET, now=0.0) == OPEN
    refused = circuits.admit(TARGET, now=4.0)
    assert not refused.allowed and refused.retry_at == 10.0
    assert circuits.admit("http://other:80", now=4.0).allowed, "other targets are not affected"


def test_a_half_open_circuit_lets_one_probe_through_and_its_success_closes_it() -> None:
    circuits = breakers()
    fail(circuits, 3)
    assert circuits.state(TARGET, now=10.0) == HALF_OPEN
    probe = circuits.admit(TARGET, now=10.0)
    assert probe.allowed and probe.probe
    waiting = circuits.admit(TARGET, now=10.5)
    assert not waiting.allowed and waiting.retry_at == 20.5
    assert circuits.record(TARGET, succeeded=True, now=11.0), "the success closed the circuit"
    assert circuits.state(TARGET, now=11.0) == CLOSED
    assert circuits.admit(TARGET, now=11.0).allowed
    assert not circuits.record(TARGET, succeeded=True, now=12.0), "closed already"


def test_a_failed_probe_opens_the_circuit_for_another_period() -> None:
    circuits = breakers()
    fail(circuits, 3)
    assert circuits.admit(TARGET, now=10.0).probe
    fail(circuits, 1, at=12.0)
    assert circuits.state(TARGET, now=21.0) == OPEN
    assert circuits.admit(TARGET, now=22.0).probe


def test_a_probe_that_said_nothing_of_its_target_frees_the_probes_place() -> None:
    circuits = breakers()
    fail(circuits, 3)
    assert circuits.admit(TARGET, now=10.0).probe
    assert not circuits.record(TARGET, succeeded=None, now=10.1)
    assert circuits.admit(TARGET, now=10.2).probe


def test_failures_of_sends_started_before_the_circuit_opened_do_not_extend_it() -> None:
    circuits = breakers()
    fail(circuits, 3, at=0.0)
    fail(circuits, 5, at=9.0)
    assert circuits.state(TARGET, now=10.0) == HALF_OPEN


def test_what_an_outcome_says_of_its_target() -> None:
    assert SendOutcome.success(204).target_up is True
    assert SendOutcome.failure("HTTP 503", http_status=503).target_up is False
    assert SendOutcome.failure("refused: private address", retryable=False).target_up is None


@pytest.mark.parametrize(("threshold", "open_seconds"), [(0, 1.0), (1, 0.0)])
def test_a_circuit_needs_a_threshold_and_an_open_time(threshold: int, open_seconds: float) -> None:
    with pytest.raises(ValueError):
        CircuitBreakers(failure_threshold=threshold, open_seconds=open_seconds)


async def test_deliveries_to_a_dead_target_wait_unattempted_while_a_live_one_keeps_receiving(
    run_notifications: Any, webhook_receiver: Any, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    payloads = notifications_payloads
    with WebhookReceiver("127.0.0.1", 0) as dead:
        dead.fail_next(1000, status=503)
        # Retries 0.05 s and 0.3 s apart: the third attempt falls due while the circuit is open.
        async with run_notifications(
            delivery_give_up_after_seconds=600,
            circuit_failure_threshold=2,
            circuit_open_seconds=600,
        ) as notifications:
            subscription = await notifications.subscribe_webhook(
                f"{dead.url}/hook", project_id, "project.at_risk", "project.recovered"
            )
            await notifications.subscribe_webhook(
                f"{webhook_receiver.url}/hook", project_id, "project.at_risk", "project.recovered"
            )
            await notifications.apply("project.at_risk", payloads.at_risk(project_id))

            async def third_attempt_due() -> Any:
                rows = await notifications.webhook_attempts(subscription["id"])
                if len(rows) < 3:
                    return None
                due_at = datetime.fromisoformat(rows[-1]["next_attempt_at"].replace("Z", "+00:00"))
                return rows if due_at < utc_now() else None

            at_risk = (await eventually(third_attempt_due, what="the third attempt, due"))[0]
            # Planned after the third attempt fell due, so claimed after it: once the live
            # target has it, the dead one's third attempt was claimed and handed back.
            await notifications.apply(
                "project.recovered", payloads.recovered(project_id, as_of=date(2026, 3, 9))
            )

            async def live_has_both() -> Any:
                return len(webhook_receiver.requests) == 2

            await eventually(live_has_both, what="both signals at the live target")
            attempts = await notifications.webhook_attempts(subscription["id"])
    rows = [row for row in attempts if row["message_id"] == at_risk["message_id"]]
    assert len(dead.requests) == 2, "the circuit opened after two failures"
    assert [(row["attempt"], row["status"]) for row in rows] == [
        (1, "retrying"),
        (2, "retrying"),
        (3, "pending"),
    ]
    assert rows[-1]["attempted_at"] is None, "the held attempt spent nothing"


async def test_when_a_probe_gets_through_what_waited_for_the_target_goes_at_once(
    run_notifications: Any, notifications_payloads: Any, down_receiver: Any
) -> None:
    apollo, gemini = str(uuid.uuid4()), str(uuid.uuid4())
    # One refusal opens the circuit; the refused delivery's retry is planned 30 s later.
    async with run_notifications(
        delivery_backoff_seconds=6.0,
        delivery_give_up_after_seconds=600,
        circuit_failure_threshold=1,
        circuit_open_seconds=0.2,
    ) as notifications:
        waiting = await notifications.subscribe_webhook(
            down_receiver.url, apollo, "project.at_risk"
        )
        await notifications.subscribe_webhook(down_receiver.url, gemini, "project.at_risk")
        await notifications.apply("project.at_risk", notifications_payloads.at_risk(apollo))

        async def refused() -> Any:
            rows = await notifications.webhook_attempts(waiting["id"])
            return rows if len(rows) == 2 else None

        first, retry = await eventually(refused, what="Apollo's refusal and its retry")
        with down_receiver.back() as receiver:
            # Gemini's delivery is the probe: its success closes the circuit.
            await notifications.apply("project.at_risk", notifications_payloads.at_risk(gemini))
            delivered = await notifications.webhook_attempts_ending(waiting["id"], "delivered")
            requests = receiver.requests
    assert [_project_of(request) for request in requests] == [gemini, apollo]
    scheduled = datetime.fromisoformat(retry["next_attempt_at"].replace("Z", "+00:00"))
    sent = datetime.fromisoformat(delivered[-1]["attempted_at"].replace("Z", "+00:00"))
    assert sent < scheduled, "Apollo's retry went when the target was back, not on schedule"
    assert first["status"] == "retrying"


def _project_of(request: Any) -> str:
    project_id: str = json.loads(request.body)["data"]["project_id"]
    return project_id
