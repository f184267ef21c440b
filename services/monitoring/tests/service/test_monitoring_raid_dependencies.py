"""Cross-project dependencies: an upstream project's forecast end past a downstream item's
`needed_by` makes the downstream amber (red beyond the red milestone tolerance), with a reason
naming the upstream and the slip, recomputed when either project reports and when the item
changes; a closed item counts no more."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .conftest import days

# On SQLite and on PostgreSQL, like the register's own tests.
from .test_monitoring_raid_register import monitoring_settings as monitoring_settings

if TYPE_CHECKING:
    from conftest import Monitoring

# 40 % done on day 100 of 200: SPI(t) = 80 / 100, forecast end = start + 200 / 0.8 = day 250,
# 150 days from today.
SLIPPING = {"percent_complete": 40, "actual_cost": 40000}
FORECAST_END = days(150)


async def _projects(monitoring: Monitoring) -> tuple[str, str]:
    upstream = await monitoring.known_project(name="Hermes")
    downstream = await monitoring.known_project(name="Apollo")
    return upstream["project_id"], downstream["project_id"]


async def _depend(
    monitoring: Monitoring, downstream: str, upstream: str, needed_by_offset: int
) -> str:
    answer = await monitoring.client.post(
        f"/v1/projects/{downstream}/raid",
        json={
            "kind": "dependency",
            "title": "Identity platform live",
            "depends_on_project_id": upstream,
            "needed_by": days(needed_by_offset).isoformat(),
        },
        headers=monitoring.auth_header(),
    )
    assert answer.status_code == 201, answer.text
    item_id: str = answer.json()["id"]
    return item_id


async def _change(monitoring: Monitoring, downstream: str, item_id: str, **fields: Any) -> None:
    answer = await monitoring.client.patch(
        f"/v1/projects/{downstream}/raid/{item_id}", json=fields, headers=monitoring.auth_header()
    )
    assert answer.status_code == 200, answer.text


def _dependency_reasons(health: Any) -> list[Any]:
    return [r for r in health["reasons"] if r["code"] == "dependency_at_risk"]


async def _events_of(monitoring: Monitoring, topic: str, project_id: str) -> list[Any]:
    return [
        envelope["data"]
        for name, envelope in await monitoring.outbox()
        if name == topic and envelope["subject"] == project_id
    ]


async def test_an_upstream_slip_turns_the_downstream_amber_then_red_until_closed(
    monitoring: Monitoring,
) -> None:
    upstream, downstream = await _projects(monitoring)
    green = await monitoring.file_report(downstream, monitoring.report_body())
    assert green["health"]["rag"] == "green"
    item_id = await _depend(monitoring, downstream, upstream, needed_by_offset=140)
    # The upstream has no forecast yet: nothing at risk.
    assert (await monitoring.read_health(downstream))["rag"] == "green"

    # The upstream reports a slip: its forecast end moves 10 days past the date needed.
    filed = await monitoring.file_report(upstream, monitoring.report_body(**SLIPPING))
    assert filed["health"]["metrics"]["forecast_end_date"] == FORECAST_END.isoformat()

    health = await monitoring.read_health(downstream)
    assert health["rag"] == "amber"
    (reason,) = _dependency_reasons(health)
    assert reason["message"] == (
        f'Project "Hermes" is forecast to finish on {FORECAST_END.isoformat()}, 10 days after '
        f'"Identity platform live" needs it (by {days(140).isoformat()}); amber when late, red '
        "beyond 14 days late."
    )
    assert (reason["rag"], reason["value"], reason["threshold"]) == ("amber", 10.0, 0.0)
    first, changed = await _events_of(monitoring, "project.health_changed", downstream)
    assert first["rag"] == "green"
    assert (changed["previous_rag"], changed["rag"]) == ("green", "amber")
    assert "Hermes" in changed["reasons"][0]["message"]
    assert "10 jours" in changed["reasons"][0]["messages"]["fr"]

    # Needed earlier: 20 days of slip is beyond the 14 days of tolerance.
    await _change(monitoring, downstream, item_id, needed_by=days(130).isoformat())
    red = await monitoring.read_health(downstream)
    assert red["rag"] == "red"
    assert _dependency_reasons(red)[0]["value"] == 20.0
    (at_risk,) = await _events_of(monitoring, "project.at_risk", downstream)
    assert at_risk["reasons"][0]["code"] == "dependency_at_risk"

    # Closed, the dependency counts no more.
    await _change(monitoring, downstream, item_id, status="closed")
    assert (await monitoring.read_health(downstream))["rag"] == "green"
    assert len(await _events_of(monitoring, "project.recovered", downstream)) == 1


async def test_the_downstream_s_own_report_includes_the_reason(monitoring: Monitoring) -> None:
    upstream, downstream = await _projects(monitoring)
    await monitoring.file_report(upstream, monitoring.report_body(**SLIPPING))
    await _depend(monitoring, downstream, upstream, needed_by_offset=145)

    filed = await monitoring.file_report(downstream, monitoring.report_body())

    assert filed["health"]["rag"] == "amber"
    (reason,) = _dependency_reasons(filed["health"])
    assert reason["value"] == 5.0
    assert "Hermes" in reason["message"]


async def test_an_upstream_on_time_or_recovering_clears_the_reason(monitoring: Monitoring) -> None:
    upstream, downstream = await _projects(monitoring)
    await monitoring.file_report(downstream, monitoring.report_body())
    await _depend(monitoring, downstream, upstream, needed_by_offset=140)
    await monitoring.file_report(
        upstream, monitoring.report_body(as_of=days(-1).isoformat(), **SLIPPING)
    )
    assert (await monitoring.read_health(downstream))["rag"] == "amber"

    # Back on plan: forecast end = the planned end, 40 days before the date needed.
    await monitoring.file_report(upstream, monitoring.report_body())

    assert (await monitoring.read_health(downstream))["rag"] == "green"
    # Stored and published as each upstream report came, not only judged on read.
    changes = await _events_of(monitoring, "project.health_changed", downstream)
    assert [change["rag"] for change in changes] == ["green", "amber", "green"]
