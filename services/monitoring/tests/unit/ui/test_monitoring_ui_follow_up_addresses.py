"""A follow-up's link: the owning service's API address, its id quoted as one path segment."""

from __future__ import annotations

from datetime import UTC, datetime

from pmo_monitoring.domain.follow_ups import ALERT, INTERVENTION, FollowUp, FollowUpKind
from pmo_monitoring.ui.follow_up_links import FollowUpAddresses

ADDRESSES = FollowUpAddresses(
    notifications_url="https://pmo.example.com/notifications",
    standards_url="https://pmo.example.com/standards",
)


def _follow_up(kind: FollowUpKind, item_id: str) -> FollowUp:
    return FollowUp(
        kind=kind,
        item_id=item_id,
        project_id="p-1",
        title=None,
        recorded_at=datetime(2026, 1, 5, tzinfo=UTC),
        closed_at=None,
    )


def test_an_id_with_url_characters_stays_one_path_segment() -> None:
    # The id arrives in an event: a slash, query or fragment in it must not change the address.
    url = ADDRESSES.url_of(_follow_up(ALERT, "../admin?x=1#top y"))
    assert url == "https://pmo.example.com/notifications/v1/alerts/..%2Fadmin%3Fx%3D1%23top%20y"


def test_a_plain_id_reads_as_it_is_under_its_service() -> None:
    url = ADDRESSES.url_of(_follow_up(INTERVENTION, "c0ffee-01"))
    assert url == "https://pmo.example.com/standards/v1/interventions/c0ffee-01"
    assert FollowUpAddresses().url_of(_follow_up(INTERVENTION, "c0ffee-01")) is None
