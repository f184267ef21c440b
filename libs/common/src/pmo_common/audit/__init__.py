"""The audit trail every service keeps: who changed what, when, from what to what, and why.

- `trail.py`: the append-only table and `AuditTrail.record`, called in the transaction of the
  change it records (so a change without its audit row cannot commit, nor the reverse);
- `actor.py`: the caller of the current request, remembered when the bearer token is checked;
- `route.py`: `GET /v1/audit` for PMO admins;
- `migration.py`: the operation each service's Alembic revision runs to create the table.
"""
