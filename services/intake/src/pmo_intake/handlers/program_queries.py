"""Reads of programmes: lists need nothing beyond what the repository gives."""

from __future__ import annotations

from pmo_intake.db.program_repository import list_programs

__all__ = ["list_programs"]
