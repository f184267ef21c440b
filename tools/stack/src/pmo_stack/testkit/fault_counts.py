"""Counting a fault scenario's outcome once the stack has settled, and what counts as a fault.

After the fault has ended, `settle_and_count` polls the receivers and notifications' API until
every project was told what it is owed and no delivery is still pending or retrying (bounded),
then reads the topics; the counts are printed as one line, and `problems()` lists what was lost,
told twice under a new id, told out of order, or left open.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pmo_stack.testkit.alert_load import AtRiskLoad
from pmo_stack.testkit.stack_ledger import (
    ACTIVE_DELIVERY_STATUSES,
    COMPLIANCE,
    DEAD_LETTER_TOPICS,
    at_risk_alerts,
    deliveries_in,
    event_counts,
    keyed_by,
    records_on,
    unknown_to,
)
from pmo_stack.testkit.told import (
    AT_RISK,
    RECOVERED,
    Told,
    WebhookTarget,
    mails_told,
    webhooks_told,
)
from pmo_stack.testkit.waiting import eventually

SETTLE_SECONDS = 120.0


@dataclass(frozen=True)
class Expected:
    """What a scenario's projects are owed by every channel (e-mail and each webhook target)."""

    at_risk: frozenset[str]
    """Told "at risk"."""
    recovered: frozenset[str]
    """Told "recovered", their at-risk alert resolved."""
    never_at_risk: frozenset[str] = frozenset()
    """Never told "at risk" (their at-risk signal arrived after the recovery)."""
    dead_letters: int = 0
    """Dead letters about these projects that the scenario wrote itself."""

    @classmethod
    def of(cls, load: AtRiskLoad) -> Expected:
        """Every project of the load at risk; the recovering ones recovered."""
        return cls(
            at_risk=frozenset(load.ids),
            recovered=frozenset(p.id for p in load.recovering if p.id),
        )

    @property
    def projects(self) -> frozenset[str]:
        return self.at_risk | self.recovered | self.never_at_risk


@dataclass
class FaultCounts:
    """A scenario's outcome as counted from the receivers, notifications and the topics."""

    scenario: str
    expected: Expected
    told: list[Told]
    alerts: list[dict[str, Any]]
    active_deliveries: int
    failed_deliveries: int
    unknown_to_standards: int
    topics: dict[str, tuple[int, int]] = field(default_factory=dict)
    dead_letters: int = 0
    settled_after: float | None = None

    def lost(self, told: Told) -> int:
        """Messages owed over one channel that never arrived."""
        return len(self.expected.at_risk - told.projects(AT_RISK)) + len(
            self.expected.recovered - told.projects(RECOVERED)
        )

    def told_late(self, told: Told) -> int:
        """Recovered projects this channel told "at risk" after it had told "recovered"."""
        return len(told.told_late(self.expected.recovered))

    def wrongly_at_risk(self, told: Told) -> int:
        """Projects this channel told "at risk" although they had recovered first."""
        return len(told.projects(AT_RISK) & self.expected.never_at_risk)

    @property
    def open_on_recovered(self) -> int:
        """At-risk alerts not resolved on projects that recovered."""
        return sum(
            1
            for alert in self.alerts
            if alert["status"] != "resolved" and alert["project_id"] in self.expected.recovered
        )

    @property
    def missing_alerts(self) -> int:
        """Projects still at risk without an active at-risk alert."""
        active = {a["project_id"] for a in self.alerts if a["status"] != "resolved"}
        return len(self.expected.at_risk - self.expected.recovered - active)

    @property
    def settled(self) -> bool:
        """Everything owed arrived, nothing is left to send, every alert is where it belongs."""
        return (
            all(self.lost(told) == 0 for told in self.told)
            and self.active_deliveries == 0
            and self.open_on_recovered == 0
            and self.missing_alerts == 0
            and self.unknown_to_standards == 0
        )

    def _channel_summary(self, told: Told) -> str:
        expected = self.expected
        line = (
            f"{told.channel}: at-risk {len(told.projects(AT_RISK) & expected.at_risk)}/"
            f"{len(expected.at_risk)} recovered "
            f"{len(told.projects(RECOVERED) & expected.recovered)}/{len(expected.recovered)} "
            f"same-id repeats {told.repeats} new ids {told.new_ids} "
            f"at-risk after recovered {self.told_late(told)}"
        )
        if expected.never_at_risk:
            line += f" at-risk though recovered {self.wrongly_at_risk(told)}"
        return line

    def summary(self) -> str:
        """One line of counts."""
        channels = " | ".join(self._channel_summary(told) for told in self.told)
        topics = " ".join(f"{name} {recs}/{ids}" for name, (recs, ids) in self.topics.items())
        settled = (
            f"settled after {self.settled_after:.1f}s"
            if self.settled_after is not None
            else "NOT settled"
        )
        return (
            f"[fault] {self.scenario}: {len(self.expected.projects)} projects, "
            f"{len(self.expected.recovered)} recovered | {channels} | alerts open on recovered "
            f"{self.open_on_recovered} missing {self.missing_alerts} | deliveries failed "
            f"{self.failed_deliveries} still pending {self.active_deliveries} | unknown to "
            f"standards {self.unknown_to_standards} | topics "
            f"(records/ids) {topics} dead letters {self.dead_letters} | lost "
            f"{sum(self.lost(told) for told in self.told)} | {settled}"
        )

    def problems(self) -> list[str]:
        """Every way the scenario lost, duplicated or misordered something (empty: none)."""
        found: list[str] = []
        for told in self.told:
            checks = {
                "messages lost": self.lost(told),
                "second messages under a new id": told.new_ids,
                "recovered projects told at risk after recovered": self.told_late(told),
                "recovered projects told at risk at all": self.wrongly_at_risk(told),
            }
            found += [f"{told.channel}: {n} {what}" for what, n in checks.items() if n]
        checks = {
            "at-risk alerts left open on recovered projects": self.open_on_recovered,
            "projects at risk without an open alert": self.missing_alerts,
            "deliveries failed for good": self.failed_deliveries,
            "deliveries still pending": self.active_deliveries,
            "projects standards never heard of": self.unknown_to_standards,
        }
        found += [f"{n} {what}" for what, n in checks.items() if n]
        if self.dead_letters != self.expected.dead_letters:
            found.append(
                f"{self.dead_letters} dead letters about these projects "
                f"(the scenario wrote {self.expected.dead_letters})"
            )
        return found


def assert_nothing_lost(counts: FaultCounts) -> None:
    """Fail with the counts and every problem found."""
    problems = counts.problems()
    assert not problems, f"{counts.summary()}\n  " + "\n  ".join(problems)


def told_about(
    load: AtRiskLoad, projects: set[str], webhooks: Mapping[str, WebhookTarget]
) -> list[Told]:
    """What the managers' mailboxes and each webhook target (by name) were told about
    `projects` of the load."""
    managers = {p.manager.lower(): p.id for p in load.projects if p.id in projects}
    return [mails_told(load.stack.smtp, managers)] + [
        webhooks_told(target, projects, name) for name, target in webhooks.items()
    ]


@dataclass
class Ledger:
    """Where a scenario's outcome is read: the stack's receivers, notifications' API, Kafka."""

    load: AtRiskLoad
    bootstrap: str
    webhooks: Mapping[str, WebhookTarget]

    async def snapshot(self, scenario: str, expected: Expected) -> FaultCounts:
        """The counts from the receivers and notifications (not the topics)."""
        load, projects = self.load, set(expected.projects)
        told = told_about(load, projects, self.webhooks)
        notifications, admin, http = load.urls["notifications"], load.admin, load.http
        alerts = await at_risk_alerts(http, notifications, admin, projects)
        active = await deliveries_in(http, notifications, admin, projects, ACTIVE_DELIVERY_STATUSES)
        failed = await deliveries_in(http, notifications, admin, projects, ("failed",))
        unknown = await unknown_to(http, load.urls["standards"], admin, projects, COMPLIANCE)
        return FaultCounts(scenario, expected, told, alerts, len(active), len(failed), len(unknown))

    async def count_topics(self, counts: FaultCounts) -> None:
        """Add the records about the projects on the at-risk, recovered and dead-letter topics."""
        projects = set(counts.expected.projects)
        for topic in ("project.at_risk", "project.recovered"):
            counts.topics[topic] = event_counts(
                keyed_by(await records_on(self.bootstrap, [topic]), projects)
            )
        counts.dead_letters = len(
            keyed_by(await records_on(self.bootstrap, DEAD_LETTER_TOPICS), projects)
        )


async def settle_and_count(
    ledger: Ledger,
    scenario: str,
    expected: Expected | None = None,
    *,
    within: float = SETTLE_SECONDS,
) -> FaultCounts:
    """Wait (at most `within` seconds) until the scenario has settled; count; print the line."""
    wanted = expected if expected is not None else Expected.of(ledger.load)
    started = time.monotonic()
    latest: FaultCounts | None = None

    async def settled() -> bool:
        nonlocal latest
        latest = await ledger.snapshot(scenario, wanted)
        return latest.settled

    try:
        await eventually(settled, within=within, what=f"{scenario} to settle", interval=0.5)
        settled_after: float | None = time.monotonic() - started
    except AssertionError:
        settled_after = None  # the problems below say what is missing
    assert latest is not None
    latest.settled_after = settled_after
    await ledger.count_topics(latest)
    print(f"\n{latest.summary()}", flush=True)
    if settled_after is None and ledger.load.diagnose is not None:
        print(f"  {await ledger.load.diagnose()}", flush=True)
    return latest
