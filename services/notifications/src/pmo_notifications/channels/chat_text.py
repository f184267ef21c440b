"""Text within a chat's limits: lists capped with "and N more", strings clipped with an ellipsis.

Chats refuse a whole message when one field is too long (Slack answers 400 invalid_blocks), so
every piece of text an event brings is cut to its field's documented limit before it is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

ELLIPSIS = "…"
# The longest one bullet may be, so that one long reason cannot crowd out the others.
MAX_BULLET_CHARS = 500


@dataclass(frozen=True, slots=True)
class Capped:
    """The first items of a list, and how many were left out."""

    items: tuple[str, ...]
    more: int = 0


def capped(items: Sequence[str], limit: int) -> Capped:
    """At most `limit` items (the first ones), counting the rest."""
    return Capped(tuple(items[:limit]), max(0, len(items) - limit))


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS


def bullets_within(
    lines: Capped,
    *,
    bullet: str,
    limit: int,
    more: Callable[[int], str],
    separator: str = "\n",
    fit: Callable[[str, int], str] = clip,
) -> Capped:
    """The bullets (`bullet` + line, each cut by `fit` to MAX_BULLET_CHARS) that fit in `limit`
    characters joined by `separator` together with their `and N more` line (`more`, in the
    reader's words), and how many are left out: the lines that do not fit are counted rather
    than cut off mid-way."""
    total = len(lines.items) + lines.more
    room = limit - len(f"{separator}{more(total)}")
    kept: list[str] = []
    for line in lines.items:
        entry = fit(f"{bullet}{line}", MAX_BULLET_CHARS)
        if len(separator.join([*kept, entry])) > room:
            break
        kept.append(entry)
    return Capped(tuple(kept), total - len(kept))


def more_line(lines: Capped, more: Callable[[int], str]) -> str | None:
    """`and N more` (as `more` words it) when lines were left out."""
    return more(lines.more) if lines.more else None
