"""GET /v1/projects as CSV and XLSX: the JSON's projects, same filters and access."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook
from pmo_common.web.exports import CSV, XLSX
from pmo_intake.api import project_export

if TYPE_CHECKING:
    from conftest import Intake

SUPPLY = "11111111-1111-1111-1111-111111111111"
BOB = "bob@example.com"
SINGLE_VALUES = [
    "id",
    "name",
    "manager",
    "sponsor",
    "methodology",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "portfolio_id",
    "program_id",
    "external_ref",
    "status",
    "version",
    "created_at",
    "updated_at",
    "closed_at",
]


async def _export(intake: Intake, accept: str, **params: Any) -> Any:
    answer = await intake.client.get(
        "/v1/projects", params=params, headers={**intake.auth_header(), "Accept": accept}
    )
    assert answer.status_code == 200, answer.text
    return answer


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def _as_text(item: dict[str, Any]) -> dict[str, str]:
    """A JSON item's single values as its CSV row reads them (null: an empty cell)."""
    return {key: "" if item[key] is None else str(item[key]) for key in SINGLE_VALUES}


async def _seeded(intake: Intake) -> None:
    """Five projects, oldest first; Borealis is Bob's, the others Ada's."""
    await intake.new_project(name="Apollo", budget=1234.5, external_ref="AP-1")
    await intake.new_project(name="Borealis", manager=BOB, budget=99000)
    for name in ("Cygnus", "Draco", "Eridanus"):
        await intake.new_project(name=name)


async def test_the_csv_has_the_jsons_projects_with_the_same_figures_for_the_same_filters(
    intake: Intake,
) -> None:
    await _seeded(intake)
    listed = await intake.client.get(
        "/v1/projects", params={"manager": "ada@example.com"}, headers=intake.auth_header()
    )
    answer = await _export(intake, CSV, manager="ada@example.com", limit=1, offset=1)
    assert answer.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert answer.headers["content-disposition"].startswith('attachment; filename="projects-')
    rows = _csv_rows(answer.content)
    assert list(rows[0]) == SINGLE_VALUES
    expected = [_as_text(item) for item in listed.json()["items"]]
    for row in (*rows, *expected):  # the JSON writes UTC as Z, and so does the CSV
        for moment in ("created_at", "updated_at"):
            assert datetime.fromisoformat(row[moment]).tzinfo == UTC
    assert rows == expected
    assert [row["name"] for row in rows] == ["Eridanus", "Draco", "Cygnus", "Apollo"]
    assert float(rows[-1]["budget"]) == 1234.5


async def test_the_workbook_has_the_same_projects_as_the_json(intake: Intake) -> None:
    await _seeded(intake)
    listed = (await intake.client.get("/v1/projects", headers=intake.auth_header())).json()
    answer = await _export(intake, XLSX)
    assert answer.headers["content-disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    header, *rows = sheet.iter_rows(values_only=True)
    assert list(header) == SINGLE_VALUES
    by_column = [dict(zip(SINGLE_VALUES, row, strict=True)) for row in rows]
    assert [row["id"] for row in by_column] == [item["id"] for item in listed["items"]]
    assert [row["budget"] for row in by_column] == [item["budget"] for item in listed["items"]]
    assert [row["start_date"].date().isoformat() for row in by_column] == [  # type: ignore[union-attr]
        item["start_date"] for item in listed["items"]
    ]


async def test_a_managers_export_lists_only_their_projects(intake: Intake) -> None:
    await _seeded(intake)
    bob = {**intake.auth_header("project_manager", BOB), "Accept": CSV}
    answer = await intake.client.get("/v1/projects", headers=bob)
    assert answer.status_code == 200, answer.text
    assert [(row["name"], row["manager"]) for row in _csv_rows(answer.content)] == [
        ("Borealis", BOB)
    ]
    # A filter narrows what the caller may see (ADR 0026), it cannot widen it: Ada's projects
    # are not Bob's to see.
    adas = await intake.client.get(
        "/v1/projects", params={"manager": "ada@example.com"}, headers=bob
    )
    assert adas.status_code == 200, adas.text
    assert _csv_rows(adas.content) == []


async def test_status_and_406_and_refusals_as_json_problems(intake: Intake) -> None:
    project = await intake.new_project()
    closed = await intake.client.post(
        f"/v1/projects/{project['id']}/close", headers=intake.auth_header()
    )
    assert closed.status_code == 200, closed.text
    await intake.new_project(name="Still open")
    only_closed = _csv_rows((await _export(intake, CSV, status="closed")).content)
    assert [row["status"] for row in only_closed] == ["closed"]
    answers = {
        406: await intake.client.get(
            "/v1/projects", headers={**intake.auth_header(), "Accept": "text/html"}
        ),
        401: await intake.client.get("/v1/projects", headers={"Accept": CSV}),
        403: await intake.client.get(
            "/v1/projects", headers={**intake.auth_header("contractor"), "Accept": XLSX}
        ),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert answers[406].json()["errors"][0]["field"] == "header.Accept"


async def test_text_that_looks_like_a_formula_is_exported_as_text(intake: Intake) -> None:
    await intake.new_project(name="@SUM(1+1)*cmd|' /C calc'!A0", external_ref="-2+3")
    (row,) = _csv_rows((await _export(intake, CSV)).content)
    assert row["name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["external_ref"] == "'-2+3"
    assert row["budget"] == "100000.0"  # numbers stay numbers


async def test_more_matching_projects_than_an_export_holds_is_a_422(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _seeded(intake)
    monkeypatch.setattr(project_export, "EXPORT_ROW_CAP", 4)
    refused = await intake.client.get(
        "/v1/projects", headers={**intake.auth_header(), "Accept": CSV}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "query",
            "reason": "more than 4 rows match; narrow the filters or page through the JSON list",
        }
    ]
    assert len(_csv_rows((await _export(intake, CSV, manager=BOB)).content)) == 1
