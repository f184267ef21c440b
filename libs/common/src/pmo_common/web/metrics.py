"""Prometheus metrics of the process (one registry per process, one service per process)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "pmo_http_requests_total", "HTTP requests handled", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "pmo_http_request_duration_seconds", "HTTP request latency", ["method", "route"]
)
EVENTS_CONSUMED = Counter(
    "pmo_events_consumed_total", "Kafka records consumed, by outcome", ["topic", "outcome"]
)
OUTBOX_PUBLISHED = Counter("pmo_outbox_published_total", "Outbox rows published to Kafka")
