"""The HTML part of a digest e-mail: what mail clients show, so it keeps to what they render.

Inline styles only (clients drop <style> blocks and never run scripts), plain tables for layout,
and every colour written out as its label too (RED, AMBER, ...): the colour helps the eye, the
word carries the meaning for readers who cannot tell the colours apart and for clients that
strip styles. Every piece of text is escaped: project names and alert titles come from people.
"""

from __future__ import annotations

from html import escape

from pmo_notifications.domain.digest_view import Cell, DigestView, Section
from pmo_notifications.domain.wording import Wording

# Background and text colour of each label, contrast at least 4.5:1 (WCAG AA).
_PAINT = {
    "red": ("#c5221f", "#ffffff"),
    "amber": ("#f9ab00", "#202124"),
    "green": ("#137333", "#ffffff"),
    "unknown": ("#5f6368", "#ffffff"),
}
_BODY = "margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;"
_BODY += "line-height:1.4;color:#202124;background-color:#ffffff"
_HEADING = "font-size:16px;margin:20px 0 8px 0;color:#202124"
_TABLE = "border-collapse:collapse;border:1px solid #dadce0;margin:0 0 8px 0"
_HEAD_CELL = "text-align:left;padding:6px 10px;border:1px solid #dadce0;"
_HEAD_CELL += "background-color:#f1f3f4;font-weight:bold"
_CELL = "text-align:left;padding:6px 10px;border:1px solid #dadce0;vertical-align:top"
_NOTE = "margin:0 0 8px 0;color:#5f6368;font-size:13px"
_CLOSING = "margin:24px 0 0 0;color:#5f6368;font-size:12px"


def digest_html(wording: Wording, view: DigestView) -> str:
    """The whole HTML document of a digest, in the reader's language (its `lang` says which,
    so screen readers pronounce it right)."""
    signature = wording._("Sent by the PMO notifications service.")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(wording.locale)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(view.subject)}</title></head>",
        f'<body style="{_BODY}">',
        f"<p>{escape(wording._('Hello,'))}</p>",
        *(f"<p>{_linked(line, wording.glossary_url)}</p>" for line in view.intro),
        *(_section(section) for section in view.sections),
        f'<p style="{_CLOSING}">{escape(view.closing)}<br>',
        f"{escape(signature)}</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _linked(line: str, url: str | None) -> str:
    """A sentence escaped, with the glossary's address (if it names it) as a link."""
    if not url or url not in line:
        return escape(line)
    before, _, after = line.partition(url)
    link = f'<a href="{escape(url)}">{escape(url)}</a>'
    return f"{escape(before)}{link}{escape(after)}"


def _section(section: Section) -> str:
    note = f'<p style="{_NOTE}">{escape(section.note)}</p>' if section.note else ""
    head = "".join(f'<th style="{_HEAD_CELL}">{escape(name)}</th>' for name in section.columns)
    rows = "".join("<tr>" + "".join(_cell(cell) for cell in row) + "</tr>" for row in section.rows)
    return (
        f'<h2 style="{_HEADING}">{escape(section.heading)}</h2>{note}'
        f'<table role="table" cellpadding="0" cellspacing="0" style="{_TABLE}">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _cell(cell: Cell) -> str:
    if cell.rag is None:
        return f'<td style="{_CELL}">{escape(cell.text)}</td>'
    background, text = _PAINT.get(cell.rag, _PAINT["unknown"])
    style = f"{_CELL};background-color:{background};color:{text};font-weight:bold"
    # bgcolor as well: some desktop clients ignore a cell's background style.
    return f'<td bgcolor="{background}" style="{style}">{escape(cell.text)}</td>'
