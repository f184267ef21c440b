"""Reads of portfolios: lists need nothing beyond what the repository gives."""

from __future__ import annotations

from pmo_intake.db.portfolio_repository import list_portfolios

__all__ = ["list_portfolios"]
