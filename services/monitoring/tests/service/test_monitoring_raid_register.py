"""The RAID register API on SQLite and PostgreSQL: items per kind, refusals naming the field,
who may read and write, ETags with If-Match (and two concurrent PATCHes on PostgreSQL), the
audit rows, and status reports referencing register risks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pmo_common.db.engine import create_database_engine
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.db.tables import raid_items
from pmo_monitoring.migrate import migrate
from pmo_stack.testkit.openapi_checks import refused_fields
from pmo_stack.testkit.postgres_locks import wait_until_blocked
from sqlalchemy import select

from .conftest import MANAGER, days

if TYPE_CHECKING:
    from conftest import Monitoring

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]
OTHER_MANAGER = "grace@example.com"
RISK = {
    "kind": "risk",
    "title": "Supplier late",
    "owner": MANAGER,
    "probability": 0.5,
    "impact": 4,
    "response": "Second supplier qualified",
}


@pytest.fixture(params=BACKENDS)
async def monitoring_settings(request: pytest.FixtureRequest, tmp_path: Path) -> MonitoringSettings:
    """Monitoring on a fresh migrated SQLite file, or a fresh migrated PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'monitoring.db'}"
    else:
        make_database: Callable[[str], str] = request.getfixturevalue("make_database")
        url = make_database("monitoring_raid")
    await asyncio.to_thread(migrate, url)
    return MonitoringSettings(
        database_url=url, kafka_enabled=False, data_dir=tmp_path, overdue_check_seconds=0
    )


def _url(project_id: str, item_id: str | None = None) -> str:
    base = f"/v1/projects/{project_id}/raid"
    return base if item_id is None else f"{base}/{item_id}"


async def _add(
    monitoring: Monitoring, project_id: str, body: dict[str, Any], **headers: str
) -> httpx.Response:
    return await monitoring.client.post(
        _url(project_id), json=body, headers={**monitoring.auth_header(), **headers}
    )


async def _added(monitoring: Monitoring, project_id: str, body: dict[str, Any]) -> Any:
    answer = await _add(monitoring, project_id, body)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_items_of_every_kind_are_added_read_and_listed(monitoring: Monitoring) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    upstream_id = (await monitoring.known_project(name="Hermes"))["project_id"]
    bodies = [
        RISK,
        {"kind": "assumption", "title": "Pilot site stays open"},
        {
            "kind": "issue",
            "title": "Test lab down",
            "owner": MANAGER,
            "severity": "high",
            "due_date": days(10).isoformat(),
        },
        {
            "kind": "decision",
            "title": "Vendor B",
            "decided_by": "Steering committee",
            "decided_on": days(-3).isoformat(),
            "status": "closed",
        },
        {
            "kind": "dependency",
            "title": "Identity platform live",
            "depends_on_project_id": upstream_id,
            "needed_by": days(120).isoformat(),
        },
    ]

    created = []
    for body in bodies:
        answer = await _add(monitoring, project_id, body)
        assert answer.status_code == 201, answer.text
        item = answer.json()
        assert answer.headers["location"] == _url(project_id, item["id"])
        read = await monitoring.client.get(
            _url(project_id, item["id"]), headers=monitoring.auth_header()
        )
        assert read.json() == item
        assert read.headers["etag"] == answer.headers["etag"]
        created.append(item)

    risk = created[0]
    assert (risk["kind"], risk["status"], risk["probability"], risk["impact"]) == (
        "risk",
        "open",
        0.5,
        4,
    )
    assert risk["severity"] is None and risk["created_by"] == "pmo@example.com"
    assert created[4]["depends_on_project_id"] == upstream_id

    async def listed(**params: Any) -> Any:
        answer = await monitoring.client.get(
            _url(project_id), params=params, headers=monitoring.auth_header()
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert [i["id"] for i in (await listed())["items"]] == [i["id"] for i in created]
    assert [i["kind"] for i in (await listed(kind="issue"))["items"]] == ["issue"]
    assert [i["title"] for i in (await listed(status="closed"))["items"]] == ["Vendor B"]
    assert (await listed(kind="risk", status="closed"))["items"] == []
    first_page = await listed(limit=2)
    assert (len(first_page["items"]), first_page["next_offset"]) == (2, 2)
    bad_filter = await monitoring.client.get(
        _url(project_id), params={"kind": "rumour"}, headers=monitoring.auth_header()
    )
    assert refused_fields(bad_filter) == ["query.kind"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**RISK, "severity": "high"}, "body.severity"),  # a field of an issue
        ({**RISK, "needed_by": None}, "body.needed_by"),  # sent, even null
        ({**RISK, "colour": "red"}, "body.colour"),  # no item has it
        ({**RISK, "owner": None}, "body.owner"),  # a risk needs its owner
        ({**RISK, "probability": 1.5}, "body.probability"),
        ({"kind": "issue", "title": "No owner", "severity": "low"}, "body.owner"),
        ({"kind": "assumption", "title": "A", "status": "mitigated"}, "body.status"),
        ({"kind": "rumour", "title": "A"}, "body.kind"),
        (
            {"kind": "dependency", "title": "No date", "depends_on_project_id": "x"},
            "body.needed_by",
        ),
    ],
)
async def test_a_refused_item_is_a_422_naming_the_field(
    monitoring: Monitoring, body: dict[str, Any], field: str
) -> None:
    project_id = (await monitoring.known_project())["project_id"]

    assert refused_fields(await _add(monitoring, project_id, body)) == [field]


async def test_a_dependency_on_itself_or_an_unknown_project_is_refused(
    monitoring: Monitoring,
) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    for upstream in (project_id, "00000000-0000-0000-0000-000000000000"):
        body = {
            "kind": "dependency",
            "title": "Circular",
            "depends_on_project_id": upstream,
            "needed_by": days(30).isoformat(),
        }
        answer = await _add(monitoring, project_id, body)
        assert refused_fields(answer) == ["body.depends_on_project_id"]
        assert upstream in answer.json()["detail"] or "itself" in answer.json()["detail"]


def _dependency_on(upstream: str) -> dict[str, Any]:
    return {
        "kind": "dependency",
        "title": "Waits for the upstream release",
        "depends_on_project_id": upstream,
        "needed_by": days(30).isoformat(),
    }


async def test_a_dependency_that_would_close_a_cycle_is_refused(monitoring: Monitoring) -> None:
    """A -> B -> C is fine; C -> A (or reopening a closed C -> A) would make a cycle."""
    first, second, third = [
        (await monitoring.known_project(name=name))["project_id"] for name in ("A", "B", "C")
    ]
    assert (await _add(monitoring, first, _dependency_on(second))).status_code == 201
    assert (await _add(monitoring, second, _dependency_on(third))).status_code == 201

    closing = await _add(monitoring, third, _dependency_on(first))
    assert refused_fields(closing) == ["body.depends_on_project_id"]
    assert "cycle" in closing.json()["detail"]

    # Once B no longer waits for C, C may wait for A; reopening B -> C would close the loop.
    admin = monitoring.auth_header()
    items = (await monitoring.client.get(_url(second), headers=admin)).json()["items"]
    b_to_c = _url(second, items[0]["id"])
    closed = await monitoring.client.patch(b_to_c, json={"status": "closed"}, headers=admin)
    assert closed.status_code == 200, closed.text
    assert (await _add(monitoring, third, _dependency_on(first))).status_code == 201
    reopened = await monitoring.client.patch(b_to_c, json={"status": "open"}, headers=admin)
    assert refused_fields(reopened) == ["body.depends_on_project_id"]


async def test_unknown_projects_and_items_are_404(monitoring: Monitoring) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    missing = "11111111-1111-1111-1111-111111111111"
    admin = monitoring.auth_header()

    assert (await _add(monitoring, missing, RISK)).status_code == 404
    assert (await monitoring.client.get(_url(missing), headers=admin)).status_code == 404
    for answer in (
        await monitoring.client.get(_url(project_id, missing), headers=admin),
        await monitoring.client.patch(
            _url(project_id, missing), json={"status": "closed"}, headers=admin
        ),
    ):
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_another_manager_may_neither_read_nor_write_the_register(
    monitoring: Monitoring,
) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    item = await _added(monitoring, project_id, RISK)
    other = monitoring.auth_header("project_manager", OTHER_MANAGER)
    own = monitoring.auth_header("project_manager", MANAGER)

    refused = [
        await monitoring.client.get(_url(project_id), headers=other),
        await monitoring.client.get(_url(project_id, item["id"]), headers=other),
        await monitoring.client.post(_url(project_id), json=RISK, headers=other),
        await monitoring.client.patch(
            _url(project_id, item["id"]), json={"status": "closed"}, headers=other
        ),
    ]
    assert [answer.status_code for answer in refused] == [403] * 4
    assert (await monitoring.client.post(_url(project_id), json=RISK, headers=own)).status_code == (
        201
    )
    assert (await monitoring.client.get(_url(project_id))).status_code == 401


async def test_if_match_guards_a_patch_and_each_answer_carries_the_new_etag(
    monitoring: Monitoring,
) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    created = await _add(monitoring, project_id, RISK)
    url = _url(project_id, created.json()["id"])
    first_tag = created.headers["etag"]
    admin = monitoring.auth_header()

    changed = await monitoring.client.patch(
        url,
        json={"status": "mitigated", "probability": 0.2},
        headers={**admin, "If-Match": first_tag},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["probability"]) == ("mitigated", 0.2)
    second_tag = changed.headers["etag"]
    assert second_tag != first_tag
    assert (await monitoring.client.get(url, headers=admin)).headers["etag"] == second_tag

    for stale in (first_tag, f"W/{second_tag}"):
        refused = await monitoring.client.patch(
            url, json={"status": "closed"}, headers={**admin, "If-Match": stale}
        )
        assert refused.status_code == 412, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await monitoring.client.get(url, headers=admin)).json()["status"] == "mitigated"

    unconditional = await monitoring.client.patch(url, json={"status": "closed"}, headers=admin)
    assert unconditional.status_code == 200
    assert refused_fields(
        await monitoring.client.patch(url, json={"kind": "issue"}, headers=admin)
    ) == ["body.kind"]
    assert refused_fields(
        await monitoring.client.patch(url, json={"severity": "low"}, headers=admin)
    ) == ["body.severity"]
    assert refused_fields(
        await monitoring.client.patch(url, json={"title": None}, headers=admin)
    ) == ["body.title"]


async def test_creating_and_changing_an_item_leaves_audit_rows(monitoring: Monitoring) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    manager = monitoring.auth_header("project_manager", MANAGER)
    created = await monitoring.client.post(_url(project_id), json=RISK, headers=manager)
    item_id = created.json()["id"]
    await monitoring.client.patch(
        _url(project_id, item_id), json={"status": "closed"}, headers=manager
    )

    trail = await monitoring.client.get(
        "/v1/audit", params={"resource_id": item_id}, headers=monitoring.auth_header()
    )

    assert trail.status_code == 200, trail.text
    updated, added = trail.json()["items"]  # newest first
    assert (added["action"], added["resource_type"]) == ("raid_item.created", "raid_item")
    assert added["changes"]["title"] == {"before": None, "after": "Supplier late"}
    assert updated["action"] == "raid_item.updated"
    assert updated["changes"]["status"] == {"before": "open", "after": "closed"}
    assert "title" not in updated["changes"]
    assert updated["actor"]["email"] == MANAGER
    assert "project_manager" in updated["actor"]["roles"]
    refused = await monitoring.client.get("/v1/audit", headers=manager)
    assert refused.status_code == 403


async def test_a_report_references_register_risks_and_exposure_comes_from_the_register(
    monitoring: Monitoring,
) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    risk = await _added(monitoring, project_id, RISK)
    closed = await _added(
        monitoring, project_id, {**RISK, "title": "Old risk", "status": "closed", "impact": 5}
    )
    issue = await _added(monitoring, project_id, {"kind": "assumption", "title": "Not a risk"})

    unknown = await monitoring.client.post(
        f"/v1/projects/{project_id}/status-reports",
        json=monitoring.report_body(risk_ids=[risk["id"], issue["id"]]),
        headers=monitoring.auth_header(),
    )
    assert refused_fields(unknown) == ["body.risk_ids.1"]

    filed = await monitoring.file_report(
        project_id, monitoring.report_body(risk_ids=[risk["id"], closed["id"]])
    )

    # The report keeps a snapshot of the referenced risks after its own typed one.
    assert [r["title"] for r in filed["risks"]] == ["Supplier late", "Supplier late", "Old risk"]
    # Exposure: the register's open risks only (0.5 x 4), not the report's typed risk.
    risks = filed["health"]["risks"]
    assert (risks["count"], risks["total_exposure"]) == (1, 2.0)
    await monitoring.client.patch(
        _url(project_id, risk["id"]), json={"status": "closed"}, headers=monitoring.auth_header()
    )
    assert (await monitoring.read_health(project_id))["risks"]["total_exposure"] == 0.0

    trail = await monitoring.client.get(
        "/v1/audit", params={"resource_id": filed["id"]}, headers=monitoring.auth_header()
    )
    (record,) = trail.json()["items"]
    assert (record["action"], record["resource_type"]) == (
        "status_report.created",
        "status_report",
    )


async def test_without_register_risks_the_report_s_risks_still_give_the_exposure(
    monitoring: Monitoring,
) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    filed = await monitoring.file_report(project_id, monitoring.report_body())
    assert filed["health"]["risks"]["total_exposure"] == pytest.approx(1.2)  # 0.3 x 4


@pytest.mark.integration
@pytest.mark.parametrize("monitoring_settings", ["postgresql"], indirect=True)
async def test_two_concurrent_patches_with_one_etag_one_wins_one_gets_412(
    monitoring: Monitoring, lenient_client: httpx.AsyncClient
) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    created = await _add(monitoring, project_id, RISK)
    item_id, tag = created.json()["id"], created.headers["etag"]
    headers = {**monitoring.auth_header(), "If-Match": tag}
    engine = create_database_engine(monitoring.database_url)
    try:
        # Hold the item's row, so both PATCHes are in flight and queue on it before either runs.
        async with engine.connect() as holder:
            await holder.execute(
                select(raid_items.c.id).where(raid_items.c.id == item_id).with_for_update()
            )
            racing = [
                asyncio.create_task(
                    lenient_client.patch(
                        _url(project_id, item_id), json={"impact": impact}, headers=headers
                    )
                )
                for impact in (2, 5)
            ]
            await wait_until_blocked(engine, waiters=2)
            await holder.rollback()
        answers = await asyncio.gather(*racing)
    finally:
        await engine.dispose()

    assert sorted(answer.status_code for answer in answers) == [200, 412], [
        answer.text for answer in answers
    ]
    (winner,) = [answer for answer in answers if answer.status_code == 200]
    stored = await monitoring.client.get(
        _url(project_id, item_id), headers=monitoring.auth_header()
    )
    assert stored.json()["impact"] == winner.json()["impact"]
    assert stored.headers["etag"] == winner.headers["etag"]


async def test_replacing_and_correcting_a_report_are_audited(monitoring: Monitoring) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    first = await monitoring.file_report(project_id, monitoring.report_body())
    await monitoring.file_report(project_id, monitoring.report_body(percent_complete=55))
    await monitoring.file_report(
        project_id,
        monitoring.report_body(
            percent_complete=45, correction=True, correction_note="Counted twice."
        ),
    )

    trail = await monitoring.client.get(
        "/v1/audit", params={"resource_id": first["id"]}, headers=monitoring.auth_header()
    )

    corrected, replaced, created = trail.json()["items"]
    assert [created["action"], replaced["action"], corrected["action"]] == [
        "status_report.created",
        "status_report.replaced",
        "status_report.corrected",
    ]
    assert corrected["changes"]["percent_complete"] == {"before": 55.0, "after": 45.0}
    assert corrected["changes"]["correction_note"] == {"before": None, "after": "Counted twice."}
