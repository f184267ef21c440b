"""GET /v1/portfolio/health?group_by=portfolio|program: one roll-up per group."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Monitoring

NORTH = "44444444-4444-4444-4444-444444444444"
SOUTH = "55555555-5555-5555-5555-555555555555"
ALPHA = "66666666-6666-6666-6666-666666666666"
BETA = "77777777-7777-7777-7777-777777777777"
GROUP_FIGURES = {
    "group_by",
    "id",
    "rag",
    "rag_counts",
    "project_count",
    "reporting_count",
    "currency",
    "ev",
    "pv",
    "ac",
    "bac",
    "eac",
    "cpi",
    "spi",
    "totals",
    "reasons",
    "notes",
}


@pytest.fixture
async def estate(monitoring: Monitoring) -> dict[str, dict[str, Any]]:
    """Five projects over two portfolios and two programmes, and one outside any."""
    projects = {
        "north_green": await monitoring.known_project(
            name="North green", portfolio_id=NORTH, program_id=ALPHA
        ),
        "north_red": await monitoring.known_project(
            name="North red",
            manager="bob@example.com",
            portfolio_id=NORTH,
            program_id=BETA,
            budget=200000.0,
        ),
        "south_green": await monitoring.known_project(
            name="South green", portfolio_id=SOUTH, program_id=ALPHA
        ),
        "south_gbp": await monitoring.known_project(
            name="South pounds", portfolio_id=SOUTH, program_id=BETA, currency="GBP"
        ),
        "loose": await monitoring.known_project(name="Loose"),
    }
    for key in ("north_green", "south_green", "south_gbp", "loose"):
        await monitoring.file_report(projects[key]["project_id"], monitoring.report_body())
    # EV 80 000, PV 100 000, AC 100 000: CPI = SPI = 0.8, red.
    await monitoring.file_report(
        projects["north_red"]["project_id"],
        monitoring.report_body(percent_complete=40, actual_cost=100000),
    )
    return projects


@pytest.mark.usefixtures("estate")
async def test_ungrouped_answer_is_unchanged_by_default(monitoring: Monitoring) -> None:
    rolled = await monitoring.read_portfolio_health()
    assert (rolled["group_by"], rolled["groups"]) == (None, None)
    assert rolled["project_count"] == 5


@pytest.mark.usefixtures("estate")
async def test_group_by_portfolio_sums_each_portfolio(monitoring: Monitoring) -> None:
    rolled = await monitoring.read_portfolio_health(
        monitoring.auth_header("viewer"), group_by="portfolio"
    )
    assert rolled["group_by"] == "portfolio"
    assert rolled["project_count"] == 5  # the overall figures are still there
    groups = {group["id"]: group for group in rolled["groups"]}
    assert list(groups) == [NORTH, SOUTH, None]  # worst first, then by id, outsiders last
    assert all(set(group) == GROUP_FIGURES for group in groups.values())
    assert all(group["group_by"] == "portfolio" for group in groups.values())

    north = groups[NORTH]
    assert (north["project_count"], north["reporting_count"]) == (2, 2)
    assert north["rag_counts"] == {"green": 1, "amber": 0, "red": 1, "unknown": 0}
    assert (north["ev"], north["pv"], north["ac"], north["bac"], north["eac"]) == (
        130000.0,
        150000.0,
        150000.0,
        300000.0,
        350000.0,
    )
    assert north["cpi"] == pytest.approx(130000 / 150000, abs=1e-4)
    assert north["spi"] == pytest.approx(130000 / 150000, abs=1e-4)
    assert (north["currency"], north["rag"]) == ("EUR", "red")  # from the sums: 0.87 < 0.90
    assert north["reasons"]

    south = groups[SOUTH]  # EUR and GBP: sums per currency only
    assert south["currency"] is None and south["ev"] is None
    assert [totals["currency"] for totals in south["totals"]] == ["EUR", "GBP"]
    assert south["notes"]
    assert south["rag"] == "green"

    loose = groups[None]
    assert (loose["project_count"], loose["ev"], loose["rag"]) == (1, 50000.0, "green")


@pytest.mark.usefixtures("estate")
async def test_group_by_program_within_a_portfolio(monitoring: Monitoring) -> None:
    everything = await monitoring.read_portfolio_health(
        monitoring.auth_header(), group_by="program"
    )
    groups = {group["id"]: group for group in everything["groups"]}
    assert list(groups) == [BETA, ALPHA, None]
    assert groups[ALPHA]["project_count"] == 2
    assert (groups[ALPHA]["ev"], groups[ALPHA]["bac"]) == (100000.0, 200000.0)
    assert groups[BETA]["rag_counts"]["red"] == 1
    assert groups[BETA]["currency"] is None  # EUR and GBP

    north = await monitoring.read_portfolio_health(group_by="program", portfolio_id=NORTH)
    by_id = {group["id"]: group for group in north["groups"]}
    assert set(by_id) == {ALPHA, BETA}
    assert (by_id[ALPHA]["ev"], by_id[BETA]["ev"]) == (50000.0, 80000.0)
    assert all(group["group_by"] == "program" for group in north["groups"])


@pytest.mark.usefixtures("estate")
async def test_groups_cover_only_what_the_caller_may_see(monitoring: Monitoring) -> None:
    own = await monitoring.read_portfolio_health(
        monitoring.auth_header("project_manager", "bob@example.com"),
        group_by="portfolio",
    )
    assert [(group["id"], group["project_count"]) for group in own["groups"]] == [(NORTH, 1)]
    assert own["groups"][0]["ev"] == 80000.0


async def test_no_projects_means_no_groups(monitoring: Monitoring) -> None:
    rolled = await monitoring.read_portfolio_health(group_by="program")
    assert (rolled["group_by"], rolled["groups"]) == ("program", [])


async def test_an_unknown_grouping_is_a_422_naming_the_field(monitoring: Monitoring) -> None:
    response = await monitoring.client.get(
        "/v1/portfolio/health", params={"group_by": "manager"}, headers=monitoring.auth_header()
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == ["query.group_by"]
