"""Monitoring learns each project's open alerts and interventions from their events, and the
project page links them.

Events go through the real applier (one transaction, dedup by id); the links are read through
the UI's own function and on the page itself, with and without the two services' base URLs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from pmo_common.messaging.event_applier import Outcome
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.main import create_app
from pmo_monitoring.migrate import migrate
from pmo_monitoring.ui.follow_up_links import (
    FollowUpAddresses,
    FollowUpLink,
    FollowUpLinks,
    project_follow_ups,
)
from pmo_stack.testkit.in_process import asgi_client, running, sqlite_settings
from pydantic import ValidationError

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Monitoring

PROJECT = "6f1d3a52-5d0b-4d43-9a55-3d1f7e0a9c11"
ADDRESSES = FollowUpAddresses(
    notifications_url="https://pmo.example.com/notifications",
    standards_url="https://pmo.example.com/standards",
)


@pytest.fixture
def monitoring_settings(tmp_path: Path) -> MonitoringSettings:
    """The suite's settings, plus where people reach notifications and standards."""
    return sqlite_settings(
        MonitoringSettings,
        migrate,
        tmp_path,
        overdue_check_seconds=0,
        notifications_url=ADDRESSES.notifications_url,
        standards_url=ADDRESSES.standards_url,
    )


def alert(status: str, alert_id: str, title: str = "Apollo is red") -> dict[str, Any]:
    """An alert.raised / alert.resolved payload about PROJECT."""
    return {
        "alert_id": alert_id,
        "project_id": PROJECT,
        "kind": "at_risk",
        "severity": "critical",
        "status": status,
        "title": title,
    }


def intervention(event: str, intervention_id: str) -> dict[str, Any]:
    """An intervention.opened / intervention.closed payload about PROJECT."""
    now = datetime.now(UTC).isoformat()
    common = {
        "project_id": PROJECT,
        "project_name": "Apollo",
        "manager": "ada@example.com",
        "intervention_id": intervention_id,
    }
    if event == "opened":
        return {**common, "reasons": [], "opened_at": now}
    return {**common, "close_reason": "recovered", "closed_at": now}


async def links(monitoring: Monitoring, addresses: FollowUpAddresses = ADDRESSES) -> FollowUpLinks:
    async with monitoring.app.state.runtime.sessions() as session:
        return await project_follow_ups(session, PROJECT, addresses)


async def test_a_raised_alert_is_linked_until_it_is_resolved(monitoring: Monitoring) -> None:
    alert_id = str(uuid.uuid4())
    assert not (await links(monitoring)).any
    assert await monitoring.deliver("alert.raised", alert("open", alert_id)) == Outcome.APPLIED
    shown = await links(monitoring)
    url = f"https://pmo.example.com/notifications/v1/alerts/{alert_id}"
    assert shown.alerts == (FollowUpLink(alert_id, "Apollo is red", url),)
    assert shown.alert_url == url
    await monitoring.deliver("alert.resolved", alert("resolved", alert_id))
    assert await links(monitoring) == FollowUpLinks()


async def test_an_opened_intervention_is_linked_until_it_closes(monitoring: Monitoring) -> None:
    case_id = str(uuid.uuid4())
    await monitoring.deliver("intervention.opened", intervention("opened", case_id))
    shown = await links(monitoring)
    url = f"https://pmo.example.com/standards/v1/interventions/{case_id}"
    assert shown.interventions == (FollowUpLink(case_id, None, url),)
    assert (shown.alerts, shown.intervention_url) == ((), url)
    await monitoring.deliver("intervention.closed", intervention("closed", case_id))
    assert not (await links(monitoring)).any


async def test_without_the_services_urls_the_ids_are_shown_without_links(
    monitoring: Monitoring,
) -> None:
    alert_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    await monitoring.deliver("alert.raised", alert("open", alert_id))
    await monitoring.deliver("intervention.opened", intervention("opened", case_id))
    shown = await links(monitoring, FollowUpAddresses())
    assert shown.alerts == (FollowUpLink(alert_id, "Apollo is red", None),)
    assert shown.interventions == (FollowUpLink(case_id, None, None),)
    assert shown.any and shown.alert_url is None and shown.intervention_url is None


async def test_a_closing_event_that_overtakes_its_opening_keeps_the_follow_up_closed(
    monitoring: Monitoring,
) -> None:
    # alert.resolved and alert.raised travel on two topics: either may be applied first.
    alert_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    await monitoring.deliver("alert.resolved", alert("resolved", alert_id))
    await monitoring.deliver("intervention.closed", intervention("closed", case_id))
    await monitoring.deliver("alert.raised", alert("open", alert_id))
    await monitoring.deliver("intervention.opened", intervention("opened", case_id))
    assert await links(monitoring) == FollowUpLinks()


async def test_each_open_alert_is_listed_first_raised_first_and_others_projects_are_not(
    monitoring: Monitoring,
) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    await monitoring.deliver("alert.raised", alert("open", first, "Apollo is red"))
    await monitoring.deliver("alert.raised", alert("open", second, "Report overdue"))
    elsewhere = {**alert("open", str(uuid.uuid4())), "project_id": str(uuid.uuid4())}
    await monitoring.deliver("alert.raised", elsewhere)
    shown = await links(monitoring, FollowUpAddresses())
    assert [(link.item_id, link.title) for link in shown.alerts] == [
        (first, "Apollo is red"),
        (second, "Report overdue"),
    ]


def test_the_services_urls_are_absolute_http_urls_kept_without_a_trailing_slash() -> None:
    settings = MonitoringSettings(
        notifications_url="https://pmo.example.com/notifications/", standards_url=" "
    )
    assert (settings.notifications_url, settings.standards_url) == (
        "https://pmo.example.com/notifications",
        None,
    )
    for refused in ("javascript:alert(1)", "pmo.example.com/standards", "https://x.example/?a=1"):
        with pytest.raises(ValidationError, match="PMO_MONITORING_STANDARDS_URL"):
            MonitoringSettings(standards_url=refused)


async def _project_page(monitoring: Monitoring) -> str:
    answer = await monitoring.client.get(
        f"/ui/projects/{PROJECT}", headers=monitoring.auth_header()
    )
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_the_project_page_links_the_open_alert_and_intervention_until_they_close(
    monitoring: Monitoring,
) -> None:
    await monitoring.known_project(project_id=PROJECT)
    alert_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    assert 'id="follow-up-heading"' not in await _project_page(monitoring)
    await monitoring.deliver("alert.raised", alert("open", alert_id))
    await monitoring.deliver("intervention.opened", intervention("opened", case_id))
    page = await _project_page(monitoring)
    assert 'id="follow-up-heading"' in page
    alert_url = f"{ADDRESSES.notifications_url}/v1/alerts/{alert_id}"
    assert f'<a href="{alert_url}">Open alert: Apollo is red</a>' in page
    case_url = f"{ADDRESSES.standards_url}/v1/interventions/{case_id}"
    assert f'<a href="{case_url}">Open intervention</a>' in page
    await monitoring.deliver("alert.resolved", alert("resolved", alert_id))
    await monitoring.deliver("intervention.closed", intervention("closed", case_id))
    page = await _project_page(monitoring)
    assert 'id="follow-up-heading"' not in page
    assert alert_id not in page and case_id not in page


async def test_without_the_services_urls_the_page_shows_the_ids_as_text(
    monitoring: Monitoring, monitoring_settings: MonitoringSettings
) -> None:
    await monitoring.known_project(project_id=PROJECT)
    alert_id = str(uuid.uuid4())
    await monitoring.deliver("alert.raised", alert("open", alert_id))
    bare = monitoring_settings.model_copy(update={"notifications_url": None, "standards_url": None})
    app = create_app(bare)  # a second replica on the same database, without the URLs
    async with running(app), asgi_client(app, "http://monitoring") as client:
        answer = await client.get(f"/ui/projects/{PROJECT}", headers=monitoring.auth_header())
    assert answer.status_code == 200, answer.text
    assert f"Open alert: Apollo is red <code>{alert_id}</code>" in answer.text
    assert "/v1/alerts/" not in answer.text
