"""The raw SQL a portfolio roll-up is timed against: what any roll-up that reads every project
must at least run, straight from monitoring's projection and stored health — the sums and RAG
counts per currency, and the first page of active projects worst RAG first (as the route's
defaults: 50 a page, one more to tell whether another page follows)."""

from __future__ import annotations

import asyncpg

SUMS_SQL = """
SELECT p.currency,
       count(*) AS projects,
       count(h.project_id) AS reporting,
       sum((h.metrics ->> 'ev')::float8) AS ev,
       sum((h.metrics ->> 'pv')::float8) AS pv,
       sum((h.metrics ->> 'ac')::float8) AS ac,
       sum((h.metrics ->> 'bac')::float8) AS bac,
       sum(coalesce((h.metrics ->> 'eac')::float8, (h.metrics ->> 'bac')::float8)) AS eac,
       count(*) FILTER (WHERE h.rag = 'green') AS green,
       count(*) FILTER (WHERE h.rag = 'amber') AS amber,
       count(*) FILTER (WHERE h.rag = 'red') AS red,
       count(*) FILTER (WHERE h.rag IS NULL OR h.rag = 'unknown') AS unknown
FROM monitored_projects p
LEFT JOIN project_health h ON h.project_id = p.id
WHERE p.status <> 'closed'
GROUP BY p.currency
"""
PAGE_SQL = """
SELECT p.id, p.name, p.manager, p.portfolio_id, p.program_id, p.status, p.currency,
       coalesce(h.rag, 'unknown') AS rag, h.last_report_at
FROM monitored_projects p
LEFT JOIN project_health h ON h.project_id = p.id
WHERE p.status <> 'closed'
ORDER BY CASE h.rag WHEN 'red' THEN 3 WHEN 'amber' THEN 2 WHEN 'green' THEN 1 ELSE 0 END DESC,
         lower(p.name)
LIMIT 51
"""


async def run_baseline(connection: asyncpg.Connection) -> None:
    """One run of the baseline: the sums, then the first page."""
    await connection.fetch(SUMS_SQL)
    await connection.fetch(PAGE_SQL)
