"""project.created/updated say which baseline version their baseline fields are, so monitoring
can say what it judged health against (`baseline_version`, ADR 0024)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Intake


def _snapshots(events: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, Any]]:
    return [
        (topic, event["data"]["baseline_version"])
        for topic, event in events
        if topic in ("project.created", "project.updated")
    ]


async def test_snapshots_carry_the_baseline_version_in_force(intake: Intake) -> None:
    project = await intake.new_project()
    admin = intake.auth_header("pmo_admin", "pmo@example.com")
    url = f"/v1/projects/{project['id']}"
    raised = await intake.client.patch(url, json={"budget": 150000}, headers=admin)
    assert raised.status_code == 200, raised.text
    renamed = await intake.client.patch(url, json={"name": "Apollo II"}, headers=admin)
    assert renamed.status_code == 200, renamed.text
    later = await intake.client.patch(url, json={"end_date": "2027-03-31"}, headers=admin)
    assert later.status_code == 200, later.text
    assert _snapshots(await intake.outbox_events()) == [
        ("project.created", 1),
        ("project.updated", 2),  # a new baseline: the version it made
        ("project.updated", 2),  # a rename keeps the version in force
        ("project.updated", 3),
    ]
    rebaselined = [e["data"] for t, e in await intake.outbox_events() if t == "project.rebaselined"]
    assert [data["version"] for data in rebaselined] == [2, 3]
