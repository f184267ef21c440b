"""The field types intake's request bodies share (request and demand schemas alike)."""

from __future__ import annotations

from typing import Annotated

from pmo_common.web.inputs import Number, PlainText
from pydantic import Field, StringConstraints

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F-]{36}$")]
MethodologyKey = Annotated[str, Field(max_length=64)]
Budget = Annotated[Number, Field(gt=0, le=1e13, description="Budget at completion (BAC)")]
Amount = Annotated[Number, Field(ge=0, le=1e13)]
Percent = Annotated[Number, Field(ge=0, le=100)]
ExternalRef = Annotated[PlainText, Field(max_length=100)]
Note = Annotated[PlainText, Field(max_length=2000)]
Description = Annotated[PlainText, Field(max_length=4000)]
BusinessCase = Annotated[PlainText, Field(max_length=10000)]
Reason = Annotated[PlainText, StringConstraints(min_length=1, max_length=4000, pattern=r"\S")]
"""Why a decision was taken: required where it is asked for, so never empty nor blank."""
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
"""A machine name (a criterion, a resource category): lower case, digits and underscores."""
