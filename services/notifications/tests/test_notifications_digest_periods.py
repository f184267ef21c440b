"""When digests are due and which period they cover: the local hour of the configured zone,
across the hour boundary, time zones and daylight saving time; and the settings that say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pmo_notifications.config import NotificationsSettings
from pmo_notifications.domain.digest_periods import (
    DAILY,
    WEEKLY,
    DigestSchedule,
    period_key,
    window_start,
)
from pydantic import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
SEVEN_IN_BERLIN = DigestSchedule(hour=7, zone=BERLIN)


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_a_daily_digest_is_due_from_its_local_hour_to_the_end_of_the_local_day() -> None:
    # Monday 2 March 2026; Berlin is UTC+1 in winter: 07:00 there is 06:00 UTC.
    assert SEVEN_IN_BERLIN.due(DAILY, utc(2026, 3, 2, 5, 59, 59)) is None
    assert SEVEN_IN_BERLIN.due(DAILY, utc(2026, 3, 2, 6, 0)) == "2026-03-02"
    assert SEVEN_IN_BERLIN.due(DAILY, utc(2026, 3, 2, 22, 59)) == "2026-03-02"
    # 23:00 UTC is already Tuesday in Berlin, before its hour: nothing (no stale Monday one).
    assert SEVEN_IN_BERLIN.due(DAILY, utc(2026, 3, 2, 23, 0)) is None


def test_the_same_instant_is_a_different_day_in_another_zone() -> None:
    instant = utc(2026, 3, 2, 3, 30)  # Monday 03:30 UTC
    tokyo = DigestSchedule(hour=7, zone=ZoneInfo("Asia/Tokyo"))  # Monday 12:30
    new_york = DigestSchedule(hour=7, zone=ZoneInfo("America/New_York"))  # Sunday 22:30
    assert tokyo.due(DAILY, instant) == "2026-03-02"
    assert new_york.due(DAILY, instant) == "2026-03-01"
    assert DigestSchedule(hour=7, zone=ZoneInfo("UTC")).due(DAILY, instant) is None


def test_a_weekly_digest_is_due_on_monday_only_and_keyed_by_its_iso_week() -> None:
    monday = utc(2026, 3, 2, 6, 0)
    assert SEVEN_IN_BERLIN.due(WEEKLY, monday) == "2026-W10"
    assert SEVEN_IN_BERLIN.due(WEEKLY, monday - timedelta(minutes=1)) is None
    for days in range(1, 7):
        assert SEVEN_IN_BERLIN.due(WEEKLY, monday + timedelta(days=days)) is None
    # Sunday 23:30 UTC is Monday 00:30 in Berlin: Monday, but before the hour.
    assert SEVEN_IN_BERLIN.due(WEEKLY, utc(2026, 3, 1, 23, 30)) is None
    # The ISO year of the week around New Year: Monday 29 December 2025 opens 2026-W01.
    assert SEVEN_IN_BERLIN.due(WEEKLY, utc(2025, 12, 29, 8, 0)) == "2026-W01"


def test_the_spring_gap_sends_the_digest_at_the_first_instant_after_the_hour() -> None:
    # Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:00 never happens.
    two = DigestSchedule(hour=2, zone=BERLIN)
    assert two.due(DAILY, utc(2026, 3, 29, 0, 59, 59)) is None  # 01:59:59 CET
    assert two.due(DAILY, utc(2026, 3, 29, 1, 0)) == "2026-03-29"  # 03:00 CEST


def test_the_autumn_hour_that_happens_twice_is_one_period() -> None:
    # Berlin, 25 October 2026: 03:00 CEST goes back to 02:00 CET; 02:xx happens twice.
    two = DigestSchedule(hour=2, zone=BERLIN)
    first = utc(2026, 10, 25, 0, 0)  # 02:00 CEST
    second = utc(2026, 10, 25, 1, 0)  # 02:00 CET, an hour later
    assert two.due(DAILY, first) == two.due(DAILY, second) == "2026-10-25"
    assert two.due(DAILY, first - timedelta(seconds=1)) is None


def test_the_period_of_a_preview_is_the_current_one_and_a_first_digest_looks_back_one() -> None:
    now = utc(2026, 3, 4, 5, 0)  # Wednesday 06:00 in Berlin, before the hour
    assert SEVEN_IN_BERLIN.period_key(DAILY, now) == "2026-03-04"
    assert SEVEN_IN_BERLIN.period_key(WEEKLY, now) == "2026-W10"
    assert period_key(DAILY, now.date()) == "2026-03-04"
    assert window_start(DAILY, now=now, last_sent=None) == now - timedelta(days=1)
    assert window_start(WEEKLY, now=now, last_sent=None) == now - timedelta(days=7)
    earlier = utc(2026, 3, 3, 6, 0)
    assert window_start(DAILY, now=now, last_sent=earlier) == earlier


def test_the_digest_settings_default_to_seven_utc_every_minute() -> None:
    settings = NotificationsSettings(database_url="sqlite+aiosqlite:////tmp/n.db")
    assert (settings.digest_hour, settings.timezone, settings.digest_check_seconds) == (
        7,
        "UTC",
        60.0,
    )
    assert settings.zone == ZoneInfo("UTC")


def test_the_digest_settings_are_read_from_their_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PMO_NOTIFICATIONS_DIGEST_HOUR", "18")
    monkeypatch.setenv("PMO_NOTIFICATIONS_TIMEZONE", "America/Sao_Paulo")
    monkeypatch.setenv("PMO_NOTIFICATIONS_DIGEST_CHECK_SECONDS", "0")
    settings = NotificationsSettings(database_url="sqlite+aiosqlite:////tmp/n.db")
    assert (settings.digest_hour, settings.zone, settings.digest_check_seconds) == (
        18,
        ZoneInfo("America/Sao_Paulo"),
        0,
    )


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "europe/paris", "", "../etc/passwd"])
def test_a_time_zone_that_is_no_iana_name_is_a_clear_settings_error(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("PMO_NOTIFICATIONS_TIMEZONE", name)
    with pytest.raises(ValidationError) as raised:
        NotificationsSettings(database_url="sqlite+aiosqlite:////tmp/n.db")
    assert "is not an IANA time zone name" in str(raised.value)
    assert "PMO_NOTIFICATIONS_TIMEZONE" in str(raised.value)


@pytest.mark.parametrize("hour", ["24", "-1", "seven"])
def test_a_digest_hour_outside_the_day_is_refused(
    monkeypatch: pytest.MonkeyPatch, hour: str
) -> None:
    monkeypatch.setenv("PMO_NOTIFICATIONS_DIGEST_HOUR", hour)
    with pytest.raises(ValidationError, match="PMO_NOTIFICATIONS_DIGEST_HOUR"):
        NotificationsSettings(database_url="sqlite+aiosqlite:////tmp/n.db")
