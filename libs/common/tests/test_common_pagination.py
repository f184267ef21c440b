"""make_page: the extra fetched item signals a next page."""

from __future__ import annotations

from fastapi import FastAPI
from pmo_common.problems import install_problem_handlers
from pmo_common.web.pagination import MAX_OFFSET, PageDep, PageRequest, make_page
from pmo_stack.testkit.in_process import asgi_client


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


async def test_an_offset_past_the_cap_is_refused_not_sent_to_the_database() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/things")
    async def things(page: PageDep) -> dict[str, int]:
        return {"offset": page.offset}

    async with asgi_client(app) as client:
        at_cap = await client.get(f"/things?offset={MAX_OFFSET}")
        refused = await client.get("/things?offset=9223372036854775808")
    assert at_cap.json() == {"offset": MAX_OFFSET}
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "query.offset"
