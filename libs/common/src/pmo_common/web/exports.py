"""Exports of a list route as CSV or an Excel workbook, chosen by the Accept header.

A list route keeps answering JSON by default; `Accept: text/csv` or the XLSX media type turns
the same items (same filters, same access rules) into a file, one row per item, one column per
`Column`. What a cell holds is the item's own value, unformatted: numbers as numbers, dates as
ISO 8601, nothing as an empty cell (docs/adr/0021-exports.md).

- **Negotiation** (RFC 9110 §12.5.1): the offered type with the highest `q` wins, the most
  specific media range deciding each type's `q`; ties go to the first offered (JSON). No Accept
  (or an empty one) means JSON; one that accepts none of them is a 406 problem naming
  `header.Accept`.
- **CSV** (RFC 4180): UTF-8 without a byte-order mark, CRLF line ends, a header row, quotes
  only where needed. A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
  gets a leading apostrophe, so a spreadsheet opening the file shows it as text instead of
  running it as a formula (OWASP, CSV injection).
- **XLSX** (openpyxl, write-only): text cells are stored as strings, which a spreadsheet never
  evaluates, so they keep their exact value; times are written in UTC without their zone
  (Excel has none).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request, Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pmo_common.problems import ProblemException

JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFERED = (JSON, CSV, XLSX)
EXTENSIONS = {CSV: "csv", XLSX: "xlsx"}
EXPORT_ROW_CAP = 10_000
"""The most rows one export holds; a list matching more is refused (narrow the filters)."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | bool | date | datetime | None
RowT = TypeVar("RowT", contravariant=True)


@dataclass(frozen=True, slots=True)
class Column(Generic[RowT]):
    """One column of an export: its header and how a row's cell is read."""

    header: str
    value: Callable[[RowT], Cell]


def attribute_columns(names: Iterable[str]) -> list[Column[object]]:
    """One column per attribute of the rows, headed by its name (the JSON field's)."""
    return [Column(name, attrgetter(name)) for name in names]


@dataclass(frozen=True, slots=True)
class _Range:
    """One media range of an Accept header and its weight."""

    kind: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int | None:
        """How closely this range names `media_type` (2 exactly, 1 `type/*`, 0 `*/*`), or None."""
        kind, subtype = media_type.split("/", 1)
        if self.kind == "*":
            return 0
        if self.kind != kind:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == subtype else None


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        media = "*/*" if media == "*" else media.lower()  # a bare `*`: some old clients send it
        if media.count("/") != 1:
            continue  # not a media range: ignored, as unknown parameters are
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0  # an unreadable weight accepts nothing rather than everything
        kind, subtype = media.split("/")
        ranges.append(_Range(kind, subtype, q))
    return ranges


def _quality(ranges: Sequence[_Range], media_type: str) -> float:
    """The weight the most specific matching range gives `media_type` (0: not acceptable)."""
    best: tuple[int, float] | None = None
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity is not None and (best is None or specificity > best[0]):
            best = (specificity, media_range.q)
    return best[1] if best is not None else 0.0


def negotiate(accept: str | None, offered: Sequence[str] = OFFERED) -> str:
    """The offered media type the Accept header prefers; 406 when it accepts none."""
    if accept is None or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    weights = [_quality(ranges, media_type) for media_type in offered]
    best = max(weights)
    if best > 0:
        return offered[weights.index(best)]  # the first offered of the best weight
    listed = ", ".join(offered)
    raise ProblemException(
        406,
        "Not acceptable",
        f"This list is answered as {listed}; the Accept header asks for none of them.",
        errors=[{"field": "header.Accept", "reason": f"accepts none of {listed}"}],
    )


def negotiated_media_type(request: Request, response: Response) -> str:
    """The media type of the answer, from the request's Accept header (406 if none fits).

    The JSON answer says it depends on Accept (`Vary`), as the files do, so no cache hands a
    CSV to a caller who asked for JSON.
    """
    chosen = negotiate(request.headers.get("accept"))
    response.headers.append("Vary", "Accept")
    return chosen


NegotiatedMediaType = Annotated[str, Depends(negotiated_media_type)]
"""A route's answer type: JSON, CSV or XLSX. Declared after the principal, so 401 comes first."""


def too_many_rows(cap: int) -> ProblemException:
    """The 422 of an export whose filters match more rows than one export holds."""
    reason = f"more than {cap:,} rows match; narrow the filters or page through the JSON list"
    return ProblemException(
        422,
        "Export too large",
        f"An export holds at most {cap:,} rows: {reason}.",
        errors=[{"field": "query", "reason": reason}],
    )


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")  # as the JSON writes UTC
    if isinstance(value, date | int | float):
        return value.isoformat() if isinstance(value, date) else repr(value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def csv_bytes(columns: Sequence[Column[RowT]], rows: Iterable[RowT]) -> bytes:
    """The rows as RFC 4180 CSV in UTF-8, with a header row and formula-looking text defused."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([_csv_text(column.header) for column in columns])
    writer.writerows([_csv_text(column.value(row)) for column in columns] for row in rows)
    return text.getvalue().encode("utf-8")


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if not isinstance(value, str):
        return value
    # Stored as a string whatever it starts with (openpyxl would take "=..." for a formula);
    # characters XML cannot carry become U+FFFD instead of failing the whole export.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"
    return cell


def xlsx_bytes(columns: Sequence[Column[RowT]], rows: Iterable[RowT], *, sheet: str) -> bytes:
    """The rows as an Excel workbook: one sheet, a frozen header row, typed cells."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])  # Excel's longest sheet name
    worksheet.freeze_panes = "A2"
    worksheet.append([_xlsx_cell(worksheet, column.header) for column in columns])
    for row in rows:
        worksheet.append([_xlsx_cell(worksheet, column.value(row)) for column in columns])
    file = io.BytesIO()
    workbook.save(file)
    return file.getvalue()


def export_response(
    media_type: str,
    columns: Sequence[Column[RowT]],
    rows: Sequence[RowT],
    *,
    filename: str,
    sheet: str,
) -> Response:
    """The rows as a CSV or XLSX attachment named `filename` plus the type's extension."""
    if media_type == CSV:
        content, answered = csv_bytes(columns, rows), f"{CSV}; charset=utf-8; header=present"
    else:
        content, answered = xlsx_bytes(columns, rows, sheet=sheet), XLSX
    return Response(
        content,
        media_type=answered,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{EXTENSIONS[media_type]}"',
            "Vary": "Accept",
        },
    )


def export_openapi(rows: str) -> dict[int | str, dict[str, Any]]:
    """The `responses` a list route with exports documents: its two file types and the 406."""
    return {
        200: {
            "description": f"JSON by default. `Accept: {CSV}` or `{XLSX}` answers a file "
            f"instead: {rows}, every match (`limit` and `offset` do not apply) up to "
            f"{EXPORT_ROW_CAP:,} rows; more answer 422",
            "content": {
                CSV: {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
            "headers": {
                "Content-Disposition": {
                    "description": "Exports only: `attachment; filename=...`",
                    "schema": {"type": "string"},
                }
            },
        },
        406: {
            "description": f"Not acceptable: the Accept header takes none of {', '.join(OFFERED)}"
        },
    }
