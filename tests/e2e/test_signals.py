"""Every signal reaches the right person in the right form (issue 10), through the real stack.

One alert follows a project's condition (amber warning, red critical, back, resolved); an overdue
report's alert is resolved by the report; a burst of red projects reaches a grouped subscriber
as a grouped delivery; Slack and Teams subscribers receive payloads their vendors accept; a
digest preview lists exactly its recipient's projects.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import eventually
from pmo_stack.testkit.chat_schemas import ChatSchemas
from pmo_stack.testkit.project_data import halfway_project_body

pytestmark = pytest.mark.e2e

TODAY = datetime.now(UTC).date()
ADMIN = "pmo-admin@example.com"


def report(days_ago: int, percent: float, cost: float) -> dict[str, Any]:
    return {
        "as_of": (TODAY - timedelta(days=days_ago)).isoformat(),
        "percent_complete": percent,
        "actual_cost": cost,
        "summary": "Weekly status",
    }


class Signals:
    """The running stack as one project manager's story sees it."""

    def __init__(self, stack: Any, token_for: Callable[..., dict[str, str]], http: Any) -> None:
        self.stack = stack
        self.http = http
        self.admin = token_for("pmo_admin", ADMIN)
        self.token_for = token_for

    def url(self, service: str, path: str) -> str:
        return f"{self.stack.url(service)}{path}"

    async def new_project(self, name: str, manager: str, **changes: Any) -> str:
        created = await self.http.post(
            self.url("intake", "/v1/projects"),
            headers=self.admin,
            json=halfway_project_body(name, manager, **changes),
        )
        assert created.status_code == 201, created.text
        project_id: str = created.json()["id"]
        return project_id

    async def report(self, project_id: str, manager: str, body: dict[str, Any]) -> dict[str, Any]:
        """File a status report (monitoring may not have heard of the project for a moment)."""
        headers = self.token_for("project_manager", manager)
        url = self.url("monitoring", f"/v1/projects/{project_id}/status-reports")

        async def filed() -> httpx.Response | None:
            answer = await self.http.post(url, headers=headers, json=body)
            return None if answer.status_code == 404 else answer

        answer = await eventually(filed, what="monitoring to hear of the project")
        assert answer.status_code == 201, answer.text
        health: dict[str, Any] = answer.json()["health"]
        return health

    async def alerts(self, project_id: str, kind: str) -> list[dict[str, Any]]:
        answer = await self.http.get(
            self.url("notifications", "/v1/alerts"),
            headers=self.admin,
            params={"project_id": project_id},
        )
        assert answer.status_code == 200, answer.text
        return [alert for alert in answer.json()["items"] if alert["kind"] == kind]

    async def alert_where(
        self, project_id: str, kind: str, check: Callable[[dict[str, Any]], bool], what: str
    ) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            return next((a for a in await self.alerts(project_id, kind) if check(a)), None)

        return await eventually(probe, what=what, within=30)

    def mails(self, address: str) -> list[Any]:
        return [m for m in self.stack.smtp.messages if address in str(m["To"])]


@pytest.fixture
def signals(
    running_stack: Any, token_for: Callable[..., dict[str, str]], http: httpx.AsyncClient
) -> Signals:
    return Signals(running_stack, token_for, http)


async def test_one_alert_follows_the_project_from_amber_to_red_and_back(signals: Signals) -> None:
    manager = "katherine.johnson@example.com"
    project_id = await signals.new_project("Mercury telemetry", manager)
    # Planned value: 500 a day less for each day before today's 50,000. Progress and cost never
    # go down from one report to the next; the planned value outruns the progress.
    assert (await signals.report(project_id, manager, report(12, 42, 41000)))["rag"] == "green"

    # Amber: a warning in the manager's inbox, and no e-mail.
    amber = await signals.report(project_id, manager, report(8, 42.5, 42000))
    assert amber["rag"] == "amber", amber["reasons"]
    warning = await signals.alert_where(
        project_id, "at_risk", lambda a: a["status"] == "open", "the amber warning"
    )
    assert warning["severity"] == "warning"
    inbox = await signals.http.get(
        signals.url("notifications", "/v1/inbox"),
        headers=signals.token_for("project_manager", manager),
    )
    assert warning["id"] in [alert["id"] for alert in inbox.json()["items"]]

    # Red: the same alert, raised to critical, and now the manager is e-mailed.
    red = await signals.report(project_id, manager, report(4, 42.6, 50000))
    assert red["rag"] == "red"
    critical = await signals.alert_where(
        project_id, "at_risk", lambda a: a["severity"] == "critical", "the raise to critical"
    )
    assert critical["id"] == warning["id"]
    assert [(c["from"], c["to"]) for c in critical["severity_changes"]] == [("warning", "critical")]
    await signals.stack.smtp.wait_for(
        lambda m: manager in str(m["To"]) and "risk" in str(m["Subject"]).lower(), timeout=20
    )
    # One e-mail about the project's condition so far: the amber warning sent none. (A reminder
    # that the never-reported project was overdue may have gone out before the first report.)
    condition_mails = [m for m in signals.mails(manager) if "overdue" not in str(m["Subject"])]
    assert len(condition_mails) == 1, [str(m["Subject"]) for m in condition_mails]

    # Back to amber: lowered, still the same alert; then green resolves it.
    back = await signals.report(project_id, manager, report(0, 47, 50000))
    assert back["rag"] == "amber", back["reasons"]
    lowered = await signals.alert_where(
        project_id,
        "at_risk",
        lambda a: a["severity"] == "warning" and len(a["severity_changes"]) == 2,
        "the lowering to warning",
    )
    assert lowered["id"] == warning["id"] and lowered["status"] == "open"
    # Well ahead now, so the trend over the last reports points up and warns of nothing.
    green = await signals.report(project_id, manager, report(0, 60, 50000))
    assert green["rag"] == "green", green["reasons"]
    resolved = await signals.alert_where(
        project_id, "at_risk", lambda a: a["status"] == "resolved", "the resolution at green"
    )
    assert resolved["id"] == warning["id"]
    assert len(await signals.alerts(project_id, "at_risk")) == 1


async def test_an_overdue_report_alert_is_resolved_by_the_report(signals: Signals) -> None:
    manager = "dorothy.vaughan@example.com"
    # Started 100 days ago and never reported: overdue at monitoring's next check.
    project_id = await signals.new_project("Langley wind tunnel", manager)
    overdue = await signals.alert_where(
        project_id, "report_overdue", lambda a: a["status"] == "open", "the overdue alert"
    )
    await signals.report(project_id, manager, report(0, 50, 49000))
    resolved = await signals.alert_where(
        project_id, "report_overdue", lambda a: a["status"] == "resolved", "its resolution"
    )
    assert resolved["id"] == overdue["id"]
    assert len(await signals.alerts(project_id, "report_overdue")) == 1


def _json_bodies(stack: Any, path: str) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in stack.webhooks.requests if r.path == path]


async def test_a_burst_of_red_projects_reaches_a_grouped_subscriber_at_most_twice(
    signals: Signals,
) -> None:
    manager = "mary.jackson@example.com"
    portfolio = await signals.http.post(
        signals.url("intake", "/v1/portfolios"),
        headers=signals.admin,
        json={"name": "Re-plan 2027", "owner": "christine.darden@example.com"},
    )
    assert portfolio.status_code == 201, portfolio.text
    portfolio_id = portfolio.json()["id"]
    path = f"/grouped-{portfolio_id}"
    subscribed = await signals.http.post(
        signals.url("notifications", "/v1/subscriptions"),
        headers=signals.admin,
        json={
            "channel": "webhook",
            "target": f"{signals.stack.webhooks.url}{path}",
            "event_types": ["project.at_risk"],
            "portfolio_id": portfolio_id,
            "group_wait_seconds": 10,
            "group_interval_seconds": 20,
        },
    )
    assert subscribed.status_code == 201, subscribed.text

    # A portfolio-wide re-plan: twenty projects turn red at once.
    project_ids = list(
        await asyncio.gather(
            *(
                signals.new_project(f"Re-plan project {n:02d}", manager, portfolio_id=portfolio_id)
                for n in range(20)
            )
        )
    )
    await asyncio.gather(*(signals.report(p, manager, report(0, 40, 52000)) for p in project_ids))

    def grouped_projects() -> list[str]:
        return [
            alert["project_id"]
            for body in _json_bodies(signals.stack, path)
            for alert in body["data"]["alerts"]
        ]

    async def all_twenty() -> bool:
        return sorted(grouped_projects()) == sorted(project_ids)

    await eventually(all_twenty, what="the twenty at-risk alerts to arrive", within=60)
    bodies = _json_bodies(signals.stack, path)
    print(f"\n20 red projects -> {len(bodies)} grouped deliveries")
    assert 1 <= len(bodies) <= 2
    assert {body["type"] for body in bodies} == {"pmo.alert.group"}
    assert {body["data"]["portfolio_id"] for body in bodies} == {portfolio_id}
    assert len(grouped_projects()) == 20  # each alert once


async def test_slack_and_teams_subscribers_receive_payloads_their_vendors_accept(
    signals: Signals,
) -> None:
    manager = "annie.easley@example.com"
    project_id = await signals.new_project("Centaur upper stage", manager)
    paths = {"slack": f"/slack-{project_id}", "teams": f"/teams-{project_id}"}
    for channel, path in paths.items():
        subscribed = await signals.http.post(
            signals.url("notifications", "/v1/subscriptions"),
            headers=signals.admin,
            json={
                "channel": channel,
                "target": f"{signals.stack.webhooks.url}{path}",
                "event_types": ["project.at_risk"],
                "project_id": project_id,
            },
        )
        assert subscribed.status_code == 201, subscribed.text
        assert subscribed.json().get("secret") is None  # chat URLs are not signed

    await signals.report(project_id, manager, report(0, 40, 52000))

    async def both_received() -> bool:
        return all(_json_bodies(signals.stack, path) for path in paths.values())

    await eventually(both_received, what="the Slack and Teams messages", within=30)
    schemas = ChatSchemas.load()
    (slack,) = _json_bodies(signals.stack, paths["slack"])
    schemas.check_slack(slack)
    assert "Centaur upper stage" in json.dumps(slack)
    # The condition in words (the first field), not only as the attachment's colour.
    fields = [
        field["text"]
        for block in slack["attachments"][0]["blocks"]
        for field in block.get("fields", [])
    ]
    assert re.search(r"\bRED\b", fields[0]), fields
    (teams,) = _json_bodies(signals.stack, paths["teams"])
    schemas.check_teams(teams)
    card = teams["attachments"][0]["content"]
    assert card["version"] == "1.5"
    assert "Centaur upper stage" in json.dumps(card)


async def test_a_digest_preview_lists_exactly_its_recipients_projects(signals: Signals) -> None:
    manager = "gladys.west@example.com"
    mine = {
        await signals.new_project("Geodetic survey", manager),
        await signals.new_project("Satellite altimetry", manager),
    }
    someone_elses = await signals.new_project("Seasat ground station", "sally.ride@example.com")
    as_manager = signals.token_for("project_manager", manager)
    preview_url = signals.url("notifications", "/v1/digests/preview")

    async def preview_of_both() -> dict[str, Any] | None:
        # Notifications learns of the projects from intake's events.
        answer = await signals.http.get(
            preview_url, headers=as_manager, params={"recipient": manager, "period": "daily"}
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        listed = {project["project_id"] for project in body["content"]["projects"]}
        return body if mine <= listed else None

    preview = await eventually(preview_of_both, what="the preview to list both projects")
    assert {p["project_id"] for p in preview["content"]["projects"]} == mine
    assert someone_elses not in preview["text"] and "Seasat" not in preview["text"]
    assert "Geodetic survey" in preview["html"]
    others = await signals.http.get(
        preview_url,
        headers=as_manager,
        params={"recipient": "sally.ride@example.com", "period": "daily"},
    )
    assert others.status_code == 403, others.text
