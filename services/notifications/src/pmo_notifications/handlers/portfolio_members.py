"""Portfolio membership: the consumed member_added/_removed events and a caller's scope.

The rules are pmo_common.portfolios' (the same in every service but intake, which owns them).
"""

from __future__ import annotations

from pmo_notifications.db.portfolio_members import members

on_member_added = members.on_added
on_member_removed = members.on_removed
portfolio_scope = members.scope_of
