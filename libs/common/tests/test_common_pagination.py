"""make_page: the extra fetched item signals a next page."""

from __future__ import annotations

from pmo_common.web.pagination import PageRequest, make_page


def test_an_extra_item_means_there_is_a_next_page() -> None:
    page = make_page(list(range(11)), PageRequest(limit=10, offset=20))
    assert page.items == list(range(10))
    assert (page.limit, page.offset, page.next_offset) == (10, 20, 30)


def test_exactly_limit_items_is_the_last_page() -> None:
    page = make_page(list(range(10)), PageRequest(limit=10, offset=0))
    assert page.items == list(range(10))
    assert page.next_offset is None


def test_an_empty_page_has_no_next() -> None:
    nothing: list[int] = []
    page = make_page(nothing, PageRequest(limit=10, offset=40))
    assert page.items == []
    assert page.next_offset is None
