"""Silences keep their time zone: one written in +05:00 ends at that instant, not five hours late.

SQLite stores a timestamp's wall-clock time without its offset and compares timestamps as text,
so every instant is converted to UTC before it is stored or compared (the record, the queries,
the routing check) and read back aware.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pmo_notifications.db.silence_repository import active_silences, insert_silence
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.silence_rules import SilenceRecord, silence_covers
from pmo_notifications.handlers.silence_commands import checked_silence

PLUS_FIVE = timezone(timedelta(hours=5), "+05:00")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def silence_in_plus_five(
    now: datetime, *, starts_in: timedelta, ends_in: timedelta, project_id: str = "p-1"
) -> SilenceRecord:
    """A silence of a project whose instants are written in +05:00."""
    return SilenceRecord(
        id=str(uuid.uuid4()),
        project_id=project_id,
        portfolio_id=None,
        reason="Data migration",
        starts_at=(now + starts_in).astimezone(PLUS_FIVE),
        ends_at=(now + ends_in).astimezone(PLUS_FIVE),
        created_by="pm@example.com",
        created_at=now.astimezone(PLUS_FIVE),
    )


def test_a_silence_in_plus_five_ending_in_a_minute_silences_now_but_not_in_two_minutes() -> None:
    ends = (NOW + timedelta(minutes=1)).astimezone(PLUS_FIVE)
    silence = checked_silence(
        project_id="p-1",
        portfolio_id=None,
        reason="Data migration",
        starts_at=NOW.astimezone(PLUS_FIVE),
        ends_at=ends,
        created_by="pm@example.com",
        may_silence_everything=False,
        now=NOW,
    )
    # Held (and so stored) in UTC: the same instant, not the +05:00 wall-clock time.
    assert silence.ends_at == ends and silence.ends_at.utcoffset() == timedelta(0)
    assert silence.ends_at.replace(tzinfo=None) == datetime(2026, 3, 2, 12, 1)
    assert silence.starts_at.utcoffset() == timedelta(0)
    assert silence_covers(silence, project_id="p-1", portfolio_id=None, at=NOW)
    two_minutes_later = NOW + timedelta(minutes=2)
    assert not silence_covers(silence, project_id="p-1", portfolio_id=None, at=two_minutes_later)
    # The moment asked about may be in any zone too.
    assert silence_covers(
        silence, project_id="p-1", portfolio_id=None, at=NOW.astimezone(PLUS_FIVE)
    )


def test_an_instant_without_time_zone_is_refused_by_the_record() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        silence_in_plus_five(NOW, starts_in=timedelta(0), ends_in=timedelta(minutes=1)).holds_at(
            NOW.replace(tzinfo=None)
        )


async def test_the_routing_query_compares_in_utc_whatever_the_zone_asked_in(
    notifications: Any,
) -> None:
    now = utc_now()
    silence = silence_in_plus_five(now, starts_in=timedelta(0), ends_in=timedelta(minutes=1))
    async with notifications.runtime.sessions() as session:
        async with session.begin():
            await insert_silence(session, silence=silence)
        for at in (now, now.astimezone(PLUS_FIVE)):
            holding = await active_silences(session, at=at)
            assert [s.id for s in holding] == [silence.id], at
            assert holding[0].ends_at == silence.ends_at
        for at in (now + timedelta(minutes=2), (now + timedelta(minutes=2)).astimezone(PLUS_FIVE)):
            assert await active_silences(session, at=at) == [], at


async def test_a_silence_that_ended_a_minute_ago_in_plus_five_no_longer_mutes_routing(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    # Eight hours long, so that its +05:00 wall-clock times taken as UTC would hold now.
    ended = silence_in_plus_five(
        utc_now(),
        starts_in=timedelta(hours=-8),
        ends_in=timedelta(minutes=-1),
        project_id=project_id,
    )
    async with notifications.runtime.sessions() as session, session.begin():
        await insert_silence(session, silence=ended)

    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    rows = (
        await notifications.client.get(
            "/v1/deliveries", headers=notifications.auth(), params={"project_id": project_id}
        )
    ).json()["items"]
    assert rows and all(row["error"] != "silenced" for row in rows), rows


async def test_a_silence_written_in_plus_five_reads_back_as_the_same_instant(
    notifications: Any, notifications_payloads: Any
) -> None:
    project_id = str(uuid.uuid4())
    now = utc_now()
    starts_at = (now - timedelta(minutes=1)).astimezone(PLUS_FIVE)
    ends_at = (now + timedelta(minutes=1)).astimezone(PLUS_FIVE)
    headers = await notifications.manager_of_project(project_id)
    created = await notifications.client.post(
        "/v1/silences",
        headers=headers,
        json={
            "project_id": project_id,
            "reason": "Data migration",
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["active"] is True
    read = await notifications.client.get(f"/v1/silences/{created.json()['id']}", headers=headers)
    for answer in (created.json(), read.json()):
        assert datetime.fromisoformat(answer["starts_at"]) == starts_at
        assert datetime.fromisoformat(answer["ends_at"]) == ends_at
    assert read.json()["active"] is True
    listed = await notifications.client.get(
        "/v1/silences", headers=headers, params={"active": True, "project_id": project_id}
    )
    assert [item["id"] for item in listed.json()["items"]] == [created.json()["id"]]

    # The routing check sees it holding now: the signal is recorded, nobody is told.
    await notifications.apply("project.at_risk", notifications_payloads.at_risk(project_id))
    rows = (
        await notifications.client.get(
            "/v1/deliveries", headers=notifications.auth(), params={"project_id": project_id}
        )
    ).json()["items"]
    assert [(row["status"], row["error"]) for row in rows] == [("skipped", "silenced")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "9999-12-31T23:59:59-05:00"}, "body.ends_at"),
        ({"starts_at": "0001-01-01T00:00:00+05:00"}, "body.starts_at"),
        ({"ends_at": "2030-01-01T00:00:00"}, "body.ends_at"),
        ({"reason": "   "}, "body.reason"),
        ({"reason": "Freeze \u202eesolc"}, "body.reason"),
        ({"reason": "Freeze\x00"}, "body.reason"),
        ({"project_id": None, "portfolio_id": "pf 1"}, "body.portfolio_id"),
    ],
)
async def test_bad_silence_input_answers_422_naming_the_field(
    notifications: Any, change: dict[str, Any], field: str
) -> None:
    body = {
        "project_id": "p-1",
        "reason": "Data migration",
        "ends_at": (utc_now() + timedelta(hours=1)).isoformat(),
    }
    answer = await notifications.client.post(
        "/v1/silences", headers=notifications.auth(), json=body | change
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in answer.json()["errors"]] == [field]
