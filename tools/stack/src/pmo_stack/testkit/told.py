"""What the receivers were told about a scenario's projects: counted per project and kind.

A message is one (project, kind) over one channel, kind being "at_risk" or "recovered". Each
arrival carries the id a receiver de-duplicates on (the e-mail's Message-ID, the webhook's
`webhook-id`): the same id arriving again is at-least-once delivery and allowed; a second id for
the same project, kind and target is a second message, and a fault.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pmo_stack.smtp_sink import SmtpSink
from pmo_stack.webhook_receiver import WebhookReceiver

AT_RISK = "at_risk"
RECOVERED = "recovered"
KINDS = (AT_RISK, RECOVERED)
# The words notifications' e-mail subjects use (domain/email_composition.py), and the event
# types of the webhooks.
_MAIL_SUBJECT_WORDS = {AT_RISK: "is at risk", RECOVERED: "has recovered"}
_WEBHOOK_TYPES = {"project.at_risk": AT_RISK, "project.recovered": RECOVERED}

Key = tuple[str, str]
"""(project id, kind)."""


@dataclass
class Told:
    """Arrivals over one channel, by (project id, kind)."""

    channel: str
    ids: dict[Key, set[str]] = field(default_factory=lambda: defaultdict(set))
    arrivals: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    first: dict[Key, datetime] = field(default_factory=dict)

    def add(self, project_id: str, kind: str, message_id: str, at: datetime) -> None:
        """Record one arrival."""
        key = (project_id, kind)
        self.ids[key].add(message_id)
        self.arrivals[key] += 1
        if key not in self.first or at < self.first[key]:
            self.first[key] = at

    def projects(self, kind: str) -> set[str]:
        """The projects told `kind` at least once."""
        return {project for (project, told) in self.arrivals if told == kind}

    @property
    def repeats(self) -> int:
        """Arrivals of an id that had arrived before (allowed: at least once)."""
        return sum(self.arrivals[key] - len(ids) for key, ids in self.ids.items())

    @property
    def new_ids(self) -> int:
        """Second and later ids for one project, kind and target (a duplicate message)."""
        return sum(len(ids) - 1 for ids in self.ids.values())

    def told_late(self, projects: Iterable[str]) -> set[str]:
        """Projects told "at risk" only after they had been told "recovered"."""
        return {
            project
            for project in projects
            if (project, AT_RISK) in self.first
            and (project, RECOVERED) in self.first
            and self.first[(project, AT_RISK)] > self.first[(project, RECOVERED)]
        }

    def delays(self, kind: str, sent: Mapping[str, datetime]) -> list[float]:
        """Seconds from `sent[project]` to the first arrival of its `kind` message."""
        return [
            (self.first[(project, kind)] - at).total_seconds()
            for project, at in sent.items()
            if (project, kind) in self.first
        ]


def mails_told(smtp: SmtpSink, project_of_manager: Mapping[str, str]) -> Told:
    """The at-risk and recovered e-mails to the managers named (address -> project id)."""
    told = Told("mail")
    for mail in smtp.deliveries:
        subject = str(mail.message.get("Subject", "")).lower()
        kind = next((k for k, word in _MAIL_SUBJECT_WORDS.items() if word in subject), None)
        if kind is None:
            continue
        message_id = str(mail.message.get("Message-ID", ""))
        for recipient in mail.rcpt_tos:
            project = project_of_manager.get(recipient.lower())
            if project is not None:
                told.add(project, kind, message_id, mail.received_at)
    return told


@dataclass(frozen=True)
class WebhookTarget:
    """One subscription's target: a receiver, and the path of the subscribed URL (None: any)."""

    receiver: WebhookReceiver
    path: str | None = None


def webhooks_told(target: WebhookTarget, project_ids: set[str], channel: str) -> Told:
    """The at-risk and recovered webhooks about `project_ids` that reached `target`."""
    told = Told(channel)
    for request in target.receiver.requests:
        if target.path is not None and request.path != target.path:
            continue
        try:
            event = json.loads(request.body)
        except ValueError:
            continue
        kind = _WEBHOOK_TYPES.get(str(event.get("type")))
        project = str(event.get("subject"))
        if kind is None or project not in project_ids:
            continue
        told.add(project, kind, request.headers.get("webhook-id", ""), request.received_at)
    return told
