"""Notifications' projection of portfolio membership (pmo_common.portfolios.members)."""

from __future__ import annotations

from pmo_common.portfolios.members import PortfolioMembers

from pmo_notifications.db.tables import portfolio_members

members = PortfolioMembers(table=portfolio_members)
