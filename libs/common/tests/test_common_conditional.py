"""Conditional requests: the ETag follows the representation; If-Match guards each write."""

from __future__ import annotations

from datetime import date

import pytest
from pmo_common.problems import ProblemException
from pmo_common.web.conditional import entity_tag, listed_tags, matches, require_match
from pydantic import BaseModel


class Project(BaseModel):
    id: str
    budget: float
    end_date: date


APOLLO = Project(id="p-1", budget=100_000, end_date=date(2027, 6, 30))


def test_the_tag_is_strong_and_follows_the_representation() -> None:
    tag = entity_tag(APOLLO)
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert entity_tag(APOLLO.model_copy()) == tag
    assert entity_tag(APOLLO.model_copy(update={"budget": 150_000})) != tag
    # A dict with the same JSON has the same tag, whatever the key order.
    assert entity_tag({"end_date": "2027-06-30", "budget": 100_000.0, "id": "p-1"}) == tag


def test_if_match_lists_are_read_tag_by_tag() -> None:
    assert listed_tags('"a", W/"b" ,"c,d"') == ['"a"', 'W/"b"', '"c,d"']
    assert listed_tags("*") == ["*"]
    assert listed_tags('"open') == ['"open']


@pytest.mark.parametrize(
    ("if_match", "allowed"),
    [
        (None, True),  # no header: the write is not conditional
        ("*", True),
        ("CURRENT", True),
        ('"stale", CURRENT', True),
        ('"stale"', False),
        ("W/CURRENT", False),  # If-Match compares strongly: a weak tag never matches
        ('"1"', False),
        ("", False),
    ],
)
def test_a_write_proceeds_only_when_if_match_allows_it(if_match: str | None, allowed: bool) -> None:
    current = entity_tag(APOLLO)
    header = if_match.replace("CURRENT", current) if if_match is not None else None
    assert matches(header, current) is allowed


def test_a_missing_resource_matches_neither_a_tag_nor_the_wildcard() -> None:
    assert matches("*", None) is False
    assert matches('"x"', None) is False
    assert matches(None, None) is True


def test_a_stale_if_match_is_refused_with_412_naming_the_current_tag() -> None:
    with pytest.raises(ProblemException) as refused:
        require_match('"stale"', APOLLO)
    assert refused.value.status == 412
    assert entity_tag(APOLLO) in refused.value.detail
    require_match(entity_tag(APOLLO), APOLLO)  # the current tag passes
