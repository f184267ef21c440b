"""The web view's routes under /ui/, for the app to include (main.py)."""

from __future__ import annotations

from fastapi import APIRouter

from pmo_monitoring.ui import pages, sign_in

router = APIRouter()
router.include_router(sign_in.router)
router.include_router(pages.router)
