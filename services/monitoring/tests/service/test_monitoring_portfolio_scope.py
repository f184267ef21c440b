"""A portfolio manager reads and reports on their own portfolios' projects only; any member
reads them (docs/adr/0026). On PostgreSQL: the roll-up narrows by membership in SQL there."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pmo_common.messaging.event_applier import Outcome
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.migrate import migrate
from pmo_stack.testkit.portfolio_membership import (
    MemberRole,
    add_then_remove_then_replayed_add,
    membership_event,
)

if TYPE_CHECKING:
    from conftest import Monitoring

pytestmark = pytest.mark.integration
NORTH, SOUTH = "pf-north", "pf-south"


@pytest.fixture
async def monitoring_settings(
    make_database: Callable[[str], str], tmp_path: Path
) -> MonitoringSettings:
    """Monitoring on a fresh, migrated PostgreSQL database, Kafka and the overdue job off."""
    url = make_database("monitoring_portfolio_scope")
    await asyncio.to_thread(migrate, url)
    return MonitoringSettings(
        database_url=url, kafka_enabled=False, data_dir=tmp_path, overdue_check_seconds=0
    )


async def _join(
    monitoring: Monitoring, portfolio_id: str, email: str, role: MemberRole = "portfolio_manager"
) -> dict[str, str]:
    event = membership_event(portfolio_id=portfolio_id, email=email, role=role)
    assert await monitoring.apply(event) == Outcome.APPLIED
    return monitoring.auth_header("portfolio_manager", email)


async def test_a_portfolio_manager_reads_and_reports_only_in_their_portfolios(
    monitoring: Monitoring,
) -> None:
    north = await monitoring.known_project(portfolio_id=NORTH, name="North")
    south = await monitoring.known_project(portfolio_id=SOUTH, name="South")
    manager = await _join(monitoring, NORTH, "north@example.com")
    south_health = f"/v1/projects/{south['project_id']}/health"
    refused = await monitoring.client.get(south_health, headers=manager)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "portfolios you are a member of" in refused.json()["detail"]
    not_filed = await monitoring.client.post(
        f"/v1/projects/{south['project_id']}/status-reports",
        json=monitoring.report_body(),
        headers=manager,
    )
    assert not_filed.status_code == 403, not_filed.text
    await monitoring.read_health(north["project_id"], headers=manager)
    await monitoring.file_report(north["project_id"], monitoring.report_body(), headers=manager)

    rolled = await monitoring.read_portfolio_health(headers=manager)
    assert [item["project_id"] for item in rolled["projects"]["items"]] == [north["project_id"]]
    assert rolled["project_count"] == 1
    everything = await monitoring.read_portfolio_health()
    assert everything["project_count"] == 2
    # One portfolio's roll-up: its member's from the kept sums, nothing of another's.
    own = await monitoring.read_portfolio_health(headers=manager, portfolio_id=NORTH)
    assert own["project_count"] == 1 and own["reporting_count"] == 1
    other = await monitoring.read_portfolio_health(headers=manager, portfolio_id=SOUTH)
    assert other["project_count"] == 0


async def test_a_viewer_member_reads_but_does_not_report(monitoring: Monitoring) -> None:
    north = await monitoring.known_project(portfolio_id=NORTH)
    viewer = await _join(monitoring, NORTH, "watcher@example.com", role="viewer")
    await monitoring.read_health(north["project_id"], headers=viewer)
    refused = await monitoring.client.post(
        f"/v1/projects/{north['project_id']}/status-reports",
        json=monitoring.report_body(),
        headers=viewer,
    )
    assert refused.status_code == 403, refused.text
    assert "manager of its portfolio" in refused.json()["detail"]


async def test_removal_revokes_and_a_replayed_older_addition_does_not_restore(
    monitoring: Monitoring,
) -> None:
    north = await monitoring.known_project(portfolio_id=NORTH)
    email = "leaver@example.com"
    headers = monitoring.auth_header("portfolio_manager", email)
    added, removed, replayed = add_then_remove_then_replayed_add(portfolio_id=NORTH, email=email)
    assert await monitoring.apply(added) == Outcome.APPLIED
    await monitoring.read_health(north["project_id"], headers=headers)
    assert await monitoring.apply(removed) == Outcome.APPLIED
    assert await monitoring.apply(replayed) == Outcome.APPLIED
    health = f"/v1/projects/{north['project_id']}/health"
    assert (await monitoring.client.get(health, headers=headers)).status_code == 403
    rolled = await monitoring.read_portfolio_health(headers=headers)
    assert rolled["project_count"] == 0
