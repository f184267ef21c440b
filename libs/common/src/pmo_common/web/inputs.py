"""The shared vocabulary of request bodies: strict, bounded types every service's inputs use.

Bad input must answer 422 naming the field, never reach the database or the rules as something
it is not. So numbers are strict (`true` or `"100"` is not a budget), dates stay within years a
project can have (a 9999 end date overflowed the forecast), names carry no control or
bidirectional characters (they end up in e-mails), links are http(s) only, and a PATCH may send
`null` only for a field that can really be empty.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache
from typing import Annotated, Any, ClassVar, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)
# Characters that reorder or hide text (Trojan Source, CVE-2021-42574) besides the C0/C1 controls.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})  # controls, line and paragraph separators
_WEB_SCHEMES = frozenset({"http", "https"})


class StrictInput(BaseModel):
    """A request body: unknown fields are refused, so a typo is not silently dropped.

    No string anywhere in it may hold a NUL character: PostgreSQL cannot store one in text, so
    it would fail at the database (a 500) instead of here (a 422 naming the field).
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any, info: ValidationInfo) -> Any:
        # A nested body checks its own fields, so its errors name the nested field.
        nested = _field_holds_models(cls, info.field_name or "")
        if _holds_nul(value, skip_objects=nested):
            raise ValueError("must not contain NUL characters (U+0000)")
        return value


def documented_examples(*examples: dict[str, Any]) -> ConfigDict:
    """The configuration of an input model documenting these examples in the OpenAPI.

    Every request body documents at least one realistic example, valid for its model (each
    service's tests check both with `pmo_stack.testkit.openapi_checks`).
    """
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class PatchInput(StrictInput):
    """A partial update: an omitted field is left alone; `null` clears only a `nullable` one.

    Every field of a patch is declared optional so it may be omitted; this keeps an explicit
    `null` from reaching a column or a rule that needs a value (it used to answer 500).
    """

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may be left out but not set to null")
        return value


def _holds_nul(value: Any, *, skip_objects: bool) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return not skip_objects and any(
            _holds_nul(key, skip_objects=False) or _holds_nul(item, skip_objects=False)
            for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return any(_holds_nul(item, skip_objects=skip_objects) for item in value)
    return False


@cache
def _field_holds_models(model: type[BaseModel], field_name: str) -> bool:
    # Once per model and field, not on every request: the answer depends on the type alone.
    return _holds_models(model.model_fields[field_name].annotation)


def _holds_models(annotation: Any) -> bool:
    """Whether a field's type is, or contains, a model (a nested body)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_models(argument) for argument in get_args(annotation))


def _plain_text(value: str) -> str:
    # Joiners (U+200C/U+200D) stay allowed: some scripts and emoji need them.
    for character in value:
        if character in _BIDI_CONTROLS or unicodedata.category(character) in _REFUSED_CATEGORIES:
            code = f"U+{ord(character):04X}"
            raise ValueError(f"must not contain control or text-direction characters ({code})")
    return value


def _multiline_text(value: str) -> str:
    # Line breaks and tabs belong in a summary; other controls do not.
    _plain_text(re.sub(r"[\r\n\t]", " ", value))
    return value


def _web_link(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in _WEB_SCHEMES or not parts.netloc:
        raise ValueError("must be an http:// or https:// link")
    return value


Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""An amount, a percentage or a probability: a finite JSON number (not a boolean, not a string)."""

WholeNumber = Annotated[int, Strict()]
"""A count or a score: a JSON integer (not a boolean, not a string)."""

BoundedDate = Annotated[dt.date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]
"""A calendar date between 1900-01-01 and 2200-12-31."""

PlainName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_plain_text),
]
"""A name or title shown to people: 1-200 characters, no control or bidi characters."""

PlainText = Annotated[str, AfterValidator(_multiline_text)]
"""Free text (a summary, a comment): line breaks allowed, other control characters not."""

WebLink = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_web_link)]
"""A link people may open: http or https only (never `javascript:` or `data:`)."""
