"""Reads of scoring models; callers check access."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_intake.db import scoring_model_repository as repo
from pmo_intake.db.scoring_model_repository import list_models
from pmo_intake.domain.scoring import ScoringModel
from pmo_intake.handlers.problems import found

__all__ = ["get_model", "get_model_version", "list_models"]


async def get_model(session: AsyncSession, *, model_id: str) -> ScoringModel:
    """The current version of a model (404 when there is none)."""
    return found(await repo.get_model(session, model_id=model_id), "scoring model", model_id)


async def get_model_version(session: AsyncSession, *, model_id: str, version: int) -> ScoringModel:
    """One version of a model (404 when the model or the version does not exist)."""
    model = await repo.get_model_version(session, model_id=model_id, version=version)
    return found(model, "scoring model version", f"{model_id} v{version}")
