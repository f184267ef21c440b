"""Well-known locations in the repository checkout."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """Return the monorepo root (this file lives in tools/stack/src/pmo_stack/)."""
    return Path(__file__).resolve().parents[4]


def default_cache_dir() -> Path:
    """Return the download cache: $PMO_CACHE_DIR, else <repo>/.cache."""
    override = os.environ.get("PMO_CACHE_DIR")
    return Path(override) if override else repo_root() / ".cache"


def default_data_dir() -> Path:
    """Return the dev stack's data folder: $PMO_DATA_DIR, else <repo>/.data."""
    override = os.environ.get("PMO_DATA_DIR")
    return Path(override) if override else repo_root() / ".data"
