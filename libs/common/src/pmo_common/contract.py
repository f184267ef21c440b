"""Facts of the external contract that more than one service relies on."""

from __future__ import annotations

# Standards ships these methodologies seeded; intake accepts them before it has heard
# standards publish anything, so a fresh stack can register projects at once.
SEEDED_METHODOLOGY_KEYS: frozenset[str] = frozenset({"waterfall", "prince2", "scrum", "hybrid"})
DEFAULT_METHODOLOGY = "waterfall"
DEFAULT_CURRENCY = "EUR"
MAX_MILESTONES = 100
MAX_RISKS = 100
MAX_PROFILE_POINTS = 200
