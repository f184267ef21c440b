"""GET /v1/portfolio/health reads what a page needs, not every project.

Rows the database hands back and statements run are counted on the service's engine while
one roll-up is read, first over a few projects, then over many more in the same portfolios:
both stay within a bound set by the page size and the number of portfolios, programmes and
methodologies. A roll-up that loads every project and every stored health fetches at least
twice as many rows as there are projects, and fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from conftest import Monitoring

PORTFOLIOS = [
    "cccccccc-0000-0000-0000-000000000001",
    "cccccccc-0000-0000-0000-000000000002",
    "cccccccc-0000-0000-0000-000000000003",
]
PAGE_SIZE = 5


@dataclass
class Reads:
    """Statements run and rows fetched on an engine while counting."""

    statements: int = 0
    rows: int = 0

    def seen(self, _connection: Any, cursor: Any, *_args: Any) -> None:
        self.statements += 1
        # The async drivers' cursors fetch a statement's whole result as it runs; if that
        # ever changes, fail rather than count nothing.
        assert hasattr(cursor, "_rows"), f"cannot count the rows of {type(cursor).__name__}"
        self.rows += len(cursor._rows)


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[Reads]:
    """Count the statements and fetched rows of `engine` inside the block."""
    reads = Reads()
    event.listen(engine.sync_engine, "after_cursor_execute", reads.seen)
    try:
        yield reads
    finally:
        event.remove(engine.sync_engine, "after_cursor_execute", reads.seen)


async def add_projects(monitoring: Monitoring, count: int, *, first: int) -> None:
    """`count` more projects over the three portfolios; every other one has a report."""
    for number in range(first, first + count):
        project = await monitoring.known_project(
            name=f"Project {number:04d}", portfolio_id=PORTFOLIOS[number % len(PORTFOLIOS)]
        )
        if number % 2:
            await monitoring.file_report(project["project_id"], monitoring.report_body())


async def read_roll_up(monitoring: Monitoring) -> tuple[Reads, Any]:
    engine: AsyncEngine = monitoring.app.state.runtime.engine
    with counting(engine) as reads:
        answer = await monitoring.read_portfolio_health(
            group_by="portfolio", limit=PAGE_SIZE, offset=PAGE_SIZE
        )
    return reads, answer


async def test_a_roll_up_reads_a_page_not_every_project(monitoring: Monitoring) -> None:
    # Per statement at most: a row per (portfolio, programme) pair for the sums and for the
    # missed reports (one per stored RAG that can turn amber), one per methodology, the
    # page plus the one that tells whether another follows, and the same projects' figures.
    bound = len(PORTFOLIOS) * 3 + 1 + 2 * (PAGE_SIZE + 1)

    await add_projects(monitoring, 12, first=0)
    few, answer = await read_roll_up(monitoring)
    assert answer["project_count"] == 12
    assert len(answer["projects"]["items"]) == PAGE_SIZE

    await add_projects(monitoring, 110, first=12)
    many, answer = await read_roll_up(monitoring)
    assert answer["project_count"] == 122
    assert [group["project_count"] for group in answer["groups"]] == [41, 41, 40]

    assert few.rows <= bound
    assert many.rows <= bound
    assert many.statements <= few.statements + 1  # a page may span one more RAG, no more
