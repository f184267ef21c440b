"""Reads and writes of scoring models: the current version of each, and every version kept."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pmo_common.db.rows import (
    as_utc,
    fetch_by_id,
    fetch_one,
    fetch_page,
    record_from,
    update_by_id,
    values_of,
)
from pmo_common.web.pagination import PageRequest
from sqlalchemy import RowMapping, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db.tables import portfolios, scoring_model_versions, scoring_models
from pmo_intake.domain.scoring import Criterion, ScoringModel


def _criteria(stored: list[dict[str, Any]]) -> tuple[Criterion, ...]:
    return tuple(Criterion(**item) for item in stored)


def _model(row: RowMapping) -> ScoringModel:
    return record_from(ScoringModel, row, criteria=_criteria(row["criteria"]))


def _version(row: RowMapping) -> ScoringModel:
    made = as_utc(row["created_at"])
    return ScoringModel(
        id=row["model_id"],
        name=row["name"],
        criteria=_criteria(row["criteria"]),
        version=row["version"],
        created_at=made,
        updated_at=made,
    )


def _columns(model: ScoringModel) -> dict[str, Any]:
    return values_of(model, criteria=[asdict(criterion) for criterion in model.criteria])


async def _keep_version(session: AsyncSession, model: ScoringModel) -> None:
    await session.execute(
        insert(scoring_model_versions).values(
            model_id=model.id,
            version=model.version,
            name=model.name,
            criteria=[asdict(criterion) for criterion in model.criteria],
            created_at=model.updated_at,
        )
    )


async def insert_model(session: AsyncSession, *, model: ScoringModel) -> None:
    """Add a model at its first version."""
    await session.execute(insert(scoring_models).values(**_columns(model)))
    await _keep_version(session, model)


async def update_model(session: AsyncSession, *, model: ScoringModel) -> None:
    """Store a new version of the model (the earlier ones stay readable)."""
    await update_by_id(session, scoring_models, _columns(model))
    await _keep_version(session, model)


async def get_model(
    session: AsyncSession, *, model_id: str, for_update: bool = False
) -> ScoringModel | None:
    """The current version of one model, or None; `for_update` locks it (PostgreSQL)."""
    return await fetch_by_id(session, scoring_models, model_id, _model, for_update=for_update)


async def get_model_version(
    session: AsyncSession, *, model_id: str, version: int
) -> ScoringModel | None:
    """One version of a model as it was made (created and updated then), or None."""
    query = select(scoring_model_versions).where(
        scoring_model_versions.c.model_id == model_id,
        scoring_model_versions.c.version == version,
    )
    return await fetch_one(session, query, _version)


async def name_taken(session: AsyncSession, *, name: str, other_than: str | None = None) -> bool:
    """Whether another model already has this name."""
    query = select(scoring_models.c.id).where(scoring_models.c.name == name)
    if other_than is not None:
        query = query.where(scoring_models.c.id != other_than)
    return await session.scalar(query) is not None


async def list_models(session: AsyncSession, *, page: PageRequest) -> list[ScoringModel]:
    """A page of models (current versions), by name."""
    query = select(scoring_models).order_by(scoring_models.c.name)
    return await fetch_page(session, query, _model, page)


async def portfolios_using(session: AsyncSession, *, model_id: str) -> list[str]:
    """The ids of the portfolios that score their requests with this model."""
    query = select(portfolios.c.id).where(portfolios.c.scoring_model_id == model_id)
    return list((await session.scalars(query)).all())
