"""The RAID register's rules per kind: each kind's own fields, required fields, statuses."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pmo_monitoring.domain.raid import (
    RaidIssue,
    RaidItem,
    change_issues,
    changed_item,
    new_item_issues,
)

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def risk() -> RaidItem:
    return RaidItem(
        id="r-1",
        project_id="p-1",
        kind="risk",
        title="Supplier late",
        description=None,
        owner="ada@example.com",
        status="open",
        probability=0.3,
        impact=4,
        response=None,
        severity=None,
        due_date=None,
        decided_by=None,
        decided_on=None,
        depends_on_project_id=None,
        needed_by=None,
        created_by="ada@example.com",
        created_at=NOW,
        updated_at=NOW,
    )


def fields(issues: list[RaidIssue]) -> list[str]:
    return [issue.field for issue in issues]


def test_a_complete_item_of_each_kind_is_accepted() -> None:
    items = {
        "risk": {"probability": 0.2, "impact": 3, "owner": "a@example.com"},
        "assumption": {},
        "issue": {"severity": "high", "owner": "a@example.com", "due_date": date(2026, 12, 1)},
        "decision": {"decided_by": "Steering committee", "decided_on": date(2026, 3, 1)},
        "dependency": {"depends_on_project_id": "p-2", "needed_by": date(2026, 9, 1)},
    }
    for kind, values in items.items():
        assert new_item_issues(kind, values, values.keys()) == [], kind


def test_fields_of_another_kind_are_refused_by_name() -> None:
    values = {"probability": 0.2, "impact": 3, "owner": "a@example.com", "severity": "high"}
    issues = new_item_issues("risk", values, values.keys())
    assert fields(issues) == ["severity"]
    assert issues[0].reason.startswith("not a field of a risk (a risk has impact, probability")
    # An explicit null of another kind's field is refused too: it was sent.
    assert fields(new_item_issues("assumption", {"needed_by": None}, ["needed_by"])) == [
        "needed_by"
    ]


def test_required_fields_and_the_status_vocabulary_of_each_kind() -> None:
    assert fields(new_item_issues("issue", {}, [])) == ["owner", "severity"]
    assert fields(new_item_issues("dependency", {"needed_by": None}, ["needed_by"])) == [
        "depends_on_project_id",
        "needed_by",
    ]
    assert new_item_issues("risk", {**_RISK, "status": "mitigated"}, _RISK) == []
    assert fields(new_item_issues("decision", {**_DECISION, "status": "mitigated"}, [])) == [
        "status"
    ]


def test_a_change_keeps_the_kind_s_rules() -> None:
    item = risk()
    assert change_issues(item, {"status": "mitigated", "probability": 0.1}) == []
    assert fields(change_issues(item, {"needed_by": date(2026, 1, 1)})) == ["needed_by"]
    assert fields(change_issues(item, {"owner": None})) == ["owner"]  # a risk needs its owner

    changed = changed_item(item, {"status": "closed"}, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert (changed.status, changed.title, changed.updated_at.day) == ("closed", item.title, 1)
    assert not changed.is_open and item.is_open


_RISK = {"probability": 0.2, "impact": 3, "owner": "a@example.com"}
_DECISION = {"decided_by": "Board", "decided_on": date(2026, 3, 1)}
