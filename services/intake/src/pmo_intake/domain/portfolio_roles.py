"""Portfolio roles: who manages or views which portfolio (ADR 0026), as plain records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

PortfolioRole = Literal["portfolio_manager", "viewer"]


@dataclass(frozen=True, slots=True)
class PortfolioMember:
    """A person's role in one portfolio; `email` is stored in lower case, so e-mails compare
    case-insensitively wherever a member is looked up."""

    portfolio_id: str
    email: str
    role: PortfolioRole
    added_by: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class ListScope:
    """What a list shows a caller who does not read everything: the records naming their
    e-mail (projects they manage, requests they made) and those of the portfolios they are a
    member of."""

    email: str | None
    portfolio_ids: frozenset[str]


def normalised_email(email: str) -> str:
    """How a member's e-mail is stored and compared: in lower case."""
    return email.strip().lower()
