"""Column shapes every service's tables share, so a table reads as what it stores.

Each helper returns exactly the `Column` the tables spelled out before (same type, length,
nullability and index), so using one never changes a migrated schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, String, Text

# A UUID in its 36-character text form: the ids a service mints for its own records.
UUID_LENGTH = 36
# RFC 5321 allows 320 characters (64 local part, @, 255 domain); principals are e-mails.
EMAIL_LENGTH = 320
# The names and titles people give records (projects, portfolios, methodologies, actions).
NAME_LENGTH = 200
# A code from a fixed vocabulary (a status, a severity, a channel, a decision).
CODE_LENGTH = 20


def id_column(name: str = "id", *, length: int = UUID_LENGTH) -> Column[str]:
    """A string primary key, a UUID unless `length` says otherwise."""
    return Column(name, String(length), primary_key=True)


def reference_column(
    name: str,
    *,
    length: int = UUID_LENGTH,
    nullable: bool = False,
    index: bool = False,
    unique: bool = False,
) -> Column[str]:
    """The id (or key) of another record, here or in another service."""
    return Column(name, String(length), nullable=nullable, index=index, unique=unique)


def name_column(
    name: str = "name", *, nullable: bool = False, unique: bool = False, primary_key: bool = False
) -> Column[str]:
    """A name or title people give a record."""
    return Column(
        name, String(NAME_LENGTH), nullable=nullable, unique=unique, primary_key=primary_key
    )


def code_column(
    name: str, *, length: int = CODE_LENGTH, nullable: bool = False, index: bool = False
) -> Column[str]:
    """A code from a fixed vocabulary: a status, a RAG, a severity, a channel."""
    return Column(name, String(length), nullable=nullable, index=index)


def text_column(name: str, *, nullable: bool = False) -> Column[str]:
    """Free text of any length: a description, a comment, a reason."""
    return Column(name, Text, nullable=nullable)


def email_column(
    name: str, *, nullable: bool = False, index: bool = False, primary_key: bool = False
) -> Column[str]:
    """A principal's e-mail address (managers, owners, authors, deciders)."""
    return Column(
        name, String(EMAIL_LENGTH), nullable=nullable, index=index, primary_key=primary_key
    )


def timestamp_column(name: str, *, nullable: bool = False, index: bool = False) -> Column[datetime]:
    """A moment in time, stored with its time zone (always UTC in this code)."""
    return Column(name, DateTime(timezone=True), nullable=nullable, index=index)


def json_column(name: str, *, nullable: bool = False) -> Column[Any]:
    """A JSON document (lists and objects the domain reads whole)."""
    return Column(name, JSON, nullable=nullable)


def version_column(name: str = "version") -> Column[int]:
    """A version number that increases by one on every change of its record."""
    return Column(name, Integer, nullable=False)
