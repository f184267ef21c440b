"""A digest as an e-mail: the subject, the plain-text body and the HTML alternative, all from the
one layout of domain/digest_view.py."""

from __future__ import annotations

from pmo_notifications.domain.digest_content import Digest
from pmo_notifications.domain.digest_html import digest_html
from pmo_notifications.domain.digest_view import Cell, DigestView, Section, digest_view
from pmo_notifications.domain.email_composition import ComposedEmail
from pmo_notifications.domain.wording import Wording, labelled, listed


def compose_digest_email(wording: Wording, digest: Digest) -> ComposedEmail:
    """The e-mail of a daily or weekly digest in the reader's language (text and HTML say the
    same)."""
    view = digest_view(wording, digest)
    return ComposedEmail(view.subject, digest_text(wording, view), html=digest_html(wording, view))


def digest_text(wording: Wording, view: DigestView) -> str:
    """The plain-text part: the sentences, then each table as a list, one row a line."""
    lines = [wording._("Hello,"), "", *view.intro, ""]
    for section in view.sections:
        lines.extend(_section_lines(wording, section))
    lines += [view.closing, "", "--", wording._("Sent by the PMO notifications service.")]
    return "\n".join(lines) + "\n"


def _section_lines(wording: Wording, section: Section) -> list[str]:
    # A row reads "first cell: the others; joined": "Apollo: Re-plan; owner ...; due ...".
    lines = [wording._("{heading}:").format(heading=section.heading)]
    if section.note:
        lines.append(f"  ({section.note})")
    for first, *others in section.rows:
        rest = listed(wording, (_said(cell) for cell in others))
        lines.append(f"  - {labelled(wording, first.text, rest) if rest else first.text}")
    return [*lines, ""]


def _said(cell: Cell) -> str:
    return f"{cell.said_as} {cell.text}" if cell.said_as else cell.text
