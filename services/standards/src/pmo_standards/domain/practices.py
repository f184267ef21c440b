"""The best-practice library: tag normalisation and the text a search matches against.

The library holds two kinds of entry: practices the PMO writes, and lessons an intervention
leaves behind when it closes (linked to the project, its methodology and the reasons it was in
difficulty).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

MAX_TAGS = 20

PracticeKind = Literal["practice", "lesson"]


@dataclass(frozen=True, slots=True)
class Practice:
    """A best practice of the library."""

    id: str
    title: str
    body: str
    tags: tuple[str, ...]
    methodology: str | None
    created_by: str
    created_at: datetime
    kind: PracticeKind = "practice"
    project_id: str | None = None
    reason_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PracticeFilter:
    """Which entries a library search shows; None leaves a criterion out.

    `needle`: text the entry's `search_text` must contain, already folded (`search_needle`).
    """

    needle: str | None = None
    methodology: str | None = None
    kind: PracticeKind | None = None


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags trimmed, lower-cased and de-duplicated, in the order first given."""
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = " ".join(tag.split()).casefold()
        if cleaned:
            seen.setdefault(cleaned, None)
    return tuple(seen)


def search_text(*, title: str, body: str, tags: Iterable[str]) -> str:
    """What `q` is matched against: title, body and tags, case-folded.

    Folding here, in Python, keeps the search case-insensitive for every alphabet on both
    SQLite (whose lower() only folds ASCII) and PostgreSQL; fields are joined by a newline so a
    query (which never holds one) cannot match across two of them.
    """
    return "\n".join([title, body, *tags]).casefold()


def search_needle(query: str) -> str:
    """The folded form of a search query, comparable with `search_text`."""
    return query.strip().casefold()
