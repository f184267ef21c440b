"""Pure rules of notifications: alert lifecycle, routing, retries, signatures, wording, SSRF.

No I/O and no framework imports (FastAPI, SQLAlchemy, pydantic, Kafka), so each rule is tested
as a plain function. See docs/adr/0006-alerting-and-delivery.md.
"""
