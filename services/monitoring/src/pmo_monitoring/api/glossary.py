"""GET /v1/glossary: how every metric and reason is computed, in the caller's language."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.problems import ProblemException
from pmo_common.web.app_factory import SessionDep
from pydantic import BaseModel, Field

from pmo_monitoring.api.languages import AnswerLanguage
from pmo_monitoring.api.schemas import ThresholdsOut
from pmo_monitoring.handlers.glossary_queries import glossary_view
from pmo_monitoring.languages import in_language

router = APIRouter(prefix="/v1/glossary", tags=["glossary"])

MethodologyKey = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        description="A methodology's key: its thresholds instead of the defaults",
    ),
]


class GlossaryTermOut(BaseModel):
    """A metric or a reason code, explained."""

    term: str = Field(description="The metric's field name or the reason's code")
    kind: Literal["metric", "reason"]
    name: str
    formula: str
    meaning: str = Field(description="What it means, in one plain sentence")
    thresholds: str | None = Field(description="The thresholds in force; null where none apply")
    example: str = Field(description="The worked example, its figures computed by the rules")


class GlossaryOut(BaseModel):
    """Every metric and reason code under one set of thresholds."""

    methodology: str | None = Field(description="The methodology asked for; null: the defaults")
    methodology_version: int | None
    thresholds_source: Literal["methodology", "defaults"]
    thresholds: ThresholdsOut
    introduction: str = Field(description="The worked example every entry is computed on")
    terms: list[GlossaryTermOut]


@router.get(
    "",
    response_model=GlossaryOut,
    responses={404: {"description": "Not found: monitoring has not heard of `methodology`"}},
)
async def read_glossary(
    principal: CurrentPrincipal,
    session: SessionDep,
    language: AnswerLanguage,
    methodology: MethodologyKey = None,
) -> GlossaryOut:
    """Every metric and reason code: formula, meaning, thresholds in force, a worked example.

    In the language Accept-Language asks for; `methodology` gives that methodology's
    thresholds (404 for one monitoring has not heard of).
    """
    view = await glossary_view(session, methodology=methodology)
    return GlossaryOut.model_validate(in_language(view, language))


@router.get("/{term}", response_model=GlossaryTermOut)
async def read_glossary_term(
    term: Annotated[str, Path(max_length=64)],
    principal: CurrentPrincipal,
    session: SessionDep,
    language: AnswerLanguage,
    methodology: MethodologyKey = None,
) -> GlossaryTermOut:
    """One metric or reason code (`cpi`, `report_overdue`...); 404 for an unknown one."""
    view = await glossary_view(session, methodology=methodology)
    for entry in view["terms"]:
        if entry["term"] == term:
            return GlossaryTermOut.model_validate(in_language(entry, language))
    raise ProblemException(
        404,
        "Term not found",
        f"path.term: the glossary has no term {term!r}; GET /v1/glossary lists them all.",
        errors=[{"field": "path.term", "reason": "unknown term"}],
    )
