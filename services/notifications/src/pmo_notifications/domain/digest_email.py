"""A digest as an e-mail: the subject, the plain-text body and the HTML alternative, all from the
one layout of domain/digest_view.py."""

from __future__ import annotations

from pmo_notifications.domain.digest_content import Digest
from pmo_notifications.domain.digest_html import digest_html
from pmo_notifications.domain.digest_view import Cell, DigestView, Section, digest_view
from pmo_notifications.domain.email_composition import ComposedEmail

_SIGNATURE = "--\nSent by the PMO notifications service."


def compose_digest_email(digest: Digest) -> ComposedEmail:
    """The e-mail of a daily or weekly digest (text and HTML say the same)."""
    view = digest_view(digest)
    return ComposedEmail(view.subject, digest_text(view), html=digest_html(view))


def digest_text(view: DigestView) -> str:
    """The plain-text part: the sentences, then each table as a list, one row a line."""
    lines = ["Hello,", "", *view.intro, ""]
    for section in view.sections:
        lines.extend(_section_lines(section))
    lines += [view.closing, "", _SIGNATURE]
    return "\n".join(lines) + "\n"


def _section_lines(section: Section) -> list[str]:
    # A row reads "first cell: the others; joined": "Apollo: Re-plan; owner ...; due ...".
    lines = [f"{section.heading}:"]
    if section.note:
        lines.append(f"  ({section.note})")
    for first, *others in section.rows:
        rest = "; ".join(_said(cell) for cell in others)
        lines.append(f"  - {first.text}: {rest}" if rest else f"  - {first.text}")
    return [*lines, ""]


def _said(cell: Cell) -> str:
    return f"{cell.said_as} {cell.text}" if cell.said_as else cell.text
