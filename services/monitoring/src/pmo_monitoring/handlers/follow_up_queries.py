"""Reads of a project's follow-ups (open alerts and interventions); callers check access."""

from __future__ import annotations

from pmo_monitoring.db.follow_up_repository import open_follow_ups
from pmo_monitoring.domain.follow_ups import FollowUp

__all__ = ["FollowUp", "open_follow_ups"]
