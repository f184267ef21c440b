"""The CloudEvents envelope: building it from the current context, and its wire form."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pmo_common.events.envelope import CloudEvent, build_event
from pmo_common.events.payloads import GateDecided
from pmo_common.observability import correlation_id_var, traceparent_var

PARENT_TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
PAYLOAD = GateDecided(
    project_id="p-1", gate="G2", decision="approved", decided_by="pmo@example.org"
)


def test_build_event_carries_the_current_correlation_and_trace() -> None:
    correlation_token = correlation_id_var.set("req-123")
    trace_token = traceparent_var.set(PARENT_TRACE)
    try:
        event = build_event(
            service="standards", event_type="project.gate.decided", data=PAYLOAD, subject="p-1"
        )
    finally:
        correlation_id_var.reset(correlation_token)
        traceparent_var.reset(trace_token)
    assert event.correlationid == "req-123"
    assert event.traceparent is not None
    version, trace_id, span_id, flags = event.traceparent.split("-")
    assert (version, trace_id, flags) == ("00", "0af7651916cd43dd8448eb211c80319c", "01")
    assert span_id != "b7ad6b7169203331"
    assert event.source == "/pmo/standards"
    assert event.type == "project.gate.decided"
    assert event.subject == "p-1"
    assert event.dataschema == "urn:pmo:events:project.gate.decided:v1"
    assert event.data == {
        "project_id": "p-1",
        "gate": "G2",
        "decision": "approved",
        "decided_by": "pmo@example.org",
        "comment": None,
    }


def test_without_context_a_new_correlation_and_trace_start() -> None:
    first = build_event(service="s", event_type="t", data=PAYLOAD, subject=None)
    second = build_event(service="s", event_type="t", data=PAYLOAD, subject=None)
    assert first.correlationid and second.correlationid
    assert first.correlationid != second.correlationid
    assert first.traceparent and len(first.traceparent.split("-")[1]) == 32
    assert first.id != second.id


def test_the_wire_form_round_trips_and_omits_nulls() -> None:
    event = build_event(service="standards", event_type="t", data=PAYLOAD, subject=None)
    raw = event.to_bytes()
    wire = json.loads(raw)
    assert "subject" not in wire
    assert wire["specversion"] == "1.0"
    assert wire["datacontenttype"] == "application/json"
    assert CloudEvent.from_bytes(raw) == event


def test_payload_dates_travel_as_iso_strings() -> None:
    from pmo_common.events.payloads import StatusReported

    payload = StatusReported(
        project_id="p", report_id="r", as_of=date(2025, 3, 31), percent_complete=40, actual_cost=1
    )
    event = build_event(service="monitoring", event_type="t", data=payload, subject="p")
    assert json.loads(event.to_bytes())["data"]["as_of"] == "2025-03-31"


def test_unknown_extension_attributes_survive_a_round_trip() -> None:
    raw = b'{"specversion":"1.0","id":"1","source":"/x","type":"t","data":{},"tenant":"acme"}'
    event = CloudEvent.from_bytes(raw)
    assert json.loads(event.to_bytes())["tenant"] == "acme"


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00not json",
        b"{}",
        b'{"specversion":"0.3","id":"1","source":"/x","type":"t","data":{}}',
        b'{"specversion":"1.0","id":"1","source":"/x","type":"t","data":"text"}',
        b"",
    ],
)
def test_what_is_not_a_cloudevent_raises_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError):
        CloudEvent.from_bytes(raw)
