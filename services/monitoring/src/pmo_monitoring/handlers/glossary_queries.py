"""The glossary under the defaults or a methodology's thresholds (/v1/glossary, /ui/glossary)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pmo_common.problems import ProblemException
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_monitoring.db import projection_repository as projections
from pmo_monitoring.domain.glossary import Term, glossary
from pmo_monitoring.domain.phrases import phrase
from pmo_monitoring.handlers.health_assessment import DEFAULTS_IN_USE, thresholds_from


def unknown_methodology(key: str) -> ProblemException:
    """The 404 naming a methodology monitoring has not heard of from standards."""
    return ProblemException(
        404,
        phrase("Methodology not found"),
        phrase(
            "query.methodology: monitoring has not heard of methodology {key}; without "
            "`methodology` the glossary gives the default thresholds.",
            key=key,
        ),
        errors=[{"field": "query.methodology", "reason": "unknown methodology"}],
    )


def term_record(term: Term) -> dict[str, Any]:
    """One entry as answered (its texts still phrases, said in the caller's language later)."""
    return {
        "term": term.key,
        "kind": term.kind,
        "name": term.name,
        "formula": term.formula,
        "meaning": term.meaning,
        "thresholds": term.thresholds,
        "example": term.example,
    }


async def glossary_view(session: AsyncSession, *, methodology: str | None) -> dict[str, Any]:
    """Every metric and reason code with the thresholds of `methodology` (None: the defaults);
    404 for a methodology standards never published."""
    in_use = DEFAULTS_IN_USE
    if methodology is not None:
        found = await projections.get_methodology(session, key=methodology)
        if found is None:
            raise unknown_methodology(methodology)
        in_use = thresholds_from(found)
    written = glossary(in_use.thresholds)
    return {
        "methodology": methodology,
        "methodology_version": in_use.methodology_version,
        "thresholds_source": in_use.source,
        "thresholds": asdict(in_use.thresholds),
        "introduction": written.introduction,
        "terms": [term_record(term) for term in written.terms],
    }
