"""Kafka transport, transactional outbox and idempotent consumer."""
