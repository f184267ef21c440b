"""Notifications's audit trail: call `trail.record(...)` in the transaction of each change."""

from __future__ import annotations

from pmo_common.audit.trail import AuditTrail

from pmo_notifications.db.tables import audit_records

trail = AuditTrail(table=audit_records, service="notifications")
