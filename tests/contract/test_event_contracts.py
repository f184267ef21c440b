"""The event contracts: checked-in schemas and AsyncAPI match the models, and samples obey them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pmo_common.events import payloads, schema_export
from pmo_common.events.catalog import EVENT_CATALOG, EventSpec
from pmo_common.events.envelope import CloudEvent, build_event
from pmo_common.events.payloads import EventPayload
from pmo_common.messaging.topics import DEAD_LETTER_SUFFIX, all_topics, dead_letter_topic
from pmo_common.observability import correlation_id_var, traceparent_var
from pmo_stack.testkit.json_documents import references, resolve
from referencing import Registry
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "libs" / "common" / "schemas"
ASYNCAPI = ROOT / "docs" / "asyncapi.yaml"
KAFKA_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")

_PROJECT = {
    "project_id": "p-1",
    "name": "Apollo",
    "manager": "ann@example.org",
    "sponsor": "sam@example.org",
    "methodology": "waterfall",
    "start_date": "2025-01-06",
    "end_date": "2025-12-19",
    "budget": 250000.0,
    "currency": "EUR",
    "milestones": [{"name": "Design signed off", "due_date": "2025-03-31"}],
    "portfolio_id": "pf-1",
    "status": "active",
    "version": 1,
    "baseline_version": 1,
}
_REASON = {
    "code": "cpi_below_threshold",
    "message": "Cost performance 0.82 is below 0.90",
    "metric": "cpi",
    "value": 0.82,
    "threshold": 0.9,
}
_METRICS = {"pv": 1000.0, "ev": 800.0, "ac": 975.0, "cpi": 0.82, "spi": 0.8, "eac": 304878.0}
_ALERT = {
    "alert_id": "a-1",
    "project_id": "p-1",
    "kind": "project.at_risk",
    "severity": "critical",
    "status": "open",
    "title": "Apollo is red",
}
_REQUEST = {
    "request_id": "r-1",
    "title": "New CRM",
    "requested_by": "ann@example.org",
    "status": "submitted",
}
_DELIVERY = {
    "delivery_id": "d-1",
    "alert_id": "a-1",
    "project_id": "p-1",
    "channel": "webhook",
    "target": "https://hooks.example.org/pmo",
    "attempt": 1,
}
_SUBJECT = {
    "project_id": "p-1",
    "project_name": "Apollo",
    "manager": "ann@example.org",
    "sponsor": "sam@example.org",
    "portfolio_id": "pf-1",
}
_CASE = {
    "project_id": "p-1",
    "project_name": "Apollo",
    "manager": "ann@example.org",
    "sponsor": "sam@example.org",
    "portfolio_id": "pf-1",
    "intervention_id": "i-1",
    "owner": "carla@pmo.example.org",
}

# One realistic payload per model, as a consumer receives it (JSON types only).
SAMPLES: dict[type[EventPayload], dict[str, Any]] = {
    payloads.RequestEvent: _REQUEST,
    payloads.ProjectCreated: _PROJECT,
    payloads.ProjectUpdated: {
        **_PROJECT,
        "version": 2,
        "changed_fields": ["budget"],
        "baseline_version": 2,
    },
    payloads.ProjectClosed: {
        "project_id": "p-1",
        "name": "Apollo",
        "closed_at": "2025-12-19T17:00:00Z",
        "version": 3,
    },
    payloads.MethodologyPublished: {
        "key": "waterfall",
        "name": "Waterfall",
        "version": 2,
        "phases": ["initiation", "design", "build"],
        "gates": [{"key": "G1", "name": "Go", "required_deliverables": ["charter"]}],
        "report_cadence_days": 14,
        "thresholds": {"cpi_amber": 0.95, "cpi_red": 0.9},
    },
    payloads.ComplianceEvaluated: {
        "project_id": "p-1",
        "methodology": "waterfall",
        "compliant": False,
        "score": 0.5,
        "findings": [{"code": "missing_charter", "message": "No charter"}],
    },
    payloads.GateDecided: {
        "project_id": "p-1",
        "gate": "G1",
        "decision": "conditional",
        "decided_by": "pmo@example.org",
    },
    payloads.StatusReported: {
        "project_id": "p-1",
        "report_id": "sr-1",
        "as_of": "2025-03-31",
        "percent_complete": 40.0,
        "actual_cost": 97500.0,
        "manager_rag": "amber",
    },
    payloads.HealthChanged: {
        "project_id": "p-1",
        "project_name": "Apollo",
        "previous_rag": "amber",
        "rag": "red",
        "reasons": [_REASON],
        "metrics": _METRICS,
        "as_of": "2025-03-31",
    },
    payloads.ProjectAtRisk: {
        "project_id": "p-1",
        "project_name": "Apollo",
        "manager": "ann@example.org",
        "sponsor": "sam@example.org",
        "portfolio_id": "pf-1",
        "rag": "red",
        "severity": "critical",
        "reasons": [_REASON],
        "metrics": {**_METRICS, "vac": -54878.0, "forecast_end_date": "2026-02-27"},
        "as_of": "2025-03-31",
    },
    payloads.ProjectRecovered: {
        "project_id": "p-1",
        "project_name": "Apollo",
        "manager": "ann@example.org",
        "previous_rag": "red",
        "rag": "green",
        "metrics": {"cpi": 1.01},
        "as_of": "2025-05-31",
    },
    payloads.ReportOverdue: {
        "project_id": "p-1",
        "project_name": "Apollo",
        "manager": "ann@example.org",
        "last_report_at": None,
        "due_date": "2025-04-14",
        "days_overdue": 3,
        "period": 7,
    },
    payloads.AlertEvent: _ALERT,
    payloads.DeliveryEvent: _DELIVERY,
    payloads.AlertEscalated: {
        **_ALERT,
        "level": 2,
        "notified": ["sam@example.org"],
        "next_escalation_at": "2025-03-31T10:30:00Z",
    },
    payloads.InterventionOpened: {
        **_CASE,
        "owner": None,
        "reasons": [_REASON],
        "suggested_practices": [{"id": "bp-1", "title": "Re-plan with the team"}],
        "opened_at": "2025-03-31T09:00:00Z",
    },
    payloads.InterventionAssigned: {
        **_CASE,
        "assigned_by": "pmo@example.org",
        "assigned_at": "2025-03-31T09:05:00Z",
    },
    payloads.ExceptionReported: {
        **_CASE,
        "title": "Design overrun",
        "options": [
            {
                "key": "descope",
                "description": "Drop reports",
                "cost_impact": -5000.0,
                "schedule_impact_days": 0,
            },
            {
                "key": "extend",
                "description": "Add a month",
                "cost_impact": 20000.0,
                "schedule_impact_days": 30,
            },
        ],
        "recommendation": "extend",
        "reported_by": "ann@example.org",
        "reported_at": "2025-04-02T09:00:00Z",
    },
    payloads.ExceptionDecided: {
        **_CASE,
        "outcome": "approve_option",
        "option": "extend",
        "decided_by": "pmo@example.org",
        "decided_at": "2025-04-03T09:00:00Z",
    },
    payloads.ActionOverdue: {
        **_CASE,
        "action_id": "ac-1",
        "title": "Hire a second tester",
        "action_owner": "ann@example.org",
        "due_date": "2025-04-10",
        "days_overdue": 2,
    },
    payloads.EarlyWarning: {
        **_SUBJECT,
        "code": "trend_warning",
        "metric": "cpi",
        "forecast_crossing_date": "2025-06-01",
        "message": "At this trend CPI falls below 0.90 in about 6 weeks.",
        "value": 41.0,
        "threshold": 84.0,
        "as_of": "2025-04-19",
        "health_version": 3,
    },
    payloads.EarlyWarningCleared: {
        **_SUBJECT,
        "code": "trend_warning",
        "metric": "cpi",
        "as_of": "2025-05-03",
        "health_version": 4,
    },
    payloads.AlertSeverityChanged: {**_ALERT, "previous_severity": "warning"},
    payloads.ActionAdded: {
        **_CASE,
        "action_id": "ac-1",
        "title": "Hire a second tester",
        "action_owner": "ann@example.org",
        "due_date": "2025-04-10",
    },
    payloads.ActionDone: {**_CASE, "action_id": "ac-1", "done_at": "2025-04-09T16:00:00Z"},
    payloads.PortfolioEvent: {
        "portfolio_id": "pf-1",
        "name": "Digital",
        "owner": "olga@example.org",
    },
    payloads.PortfolioMembership: {
        "portfolio_id": "pf-1",
        "email": "paul@example.org",
        "role": "viewer",
        "changed_by": "olga@example.org",
        "changed_at": "2026-11-30T09:00:00Z",
    },
    payloads.ScenarioCommitted: {
        "scenario_id": "s-1",
        "portfolio_id": "pf-1",
        "selected": ["r-2", "r-1"],
        "total_score": 151.5,
        "total_cost": 1800000.0,
        "budget_cap": 2000000.0,
        "committed_by": "pmo@example.org",
    },
    payloads.InterventionClosed: {
        **_CASE,
        "close_reason": "recovered",
        "closed_at": "2025-05-31T09:00:00Z",
        "lesson_practice_id": "bp-9",
    },
    payloads.ProjectRebaselined: {
        "project_id": "p-1",
        "version": 2,
        "previous": {
            "budget": 250000.0,
            "start_date": "2025-01-06",
            "end_date": "2025-12-19",
            "milestones": [{"name": "Design signed off", "due_date": "2025-03-31"}],
            "planned_value_profile": [],
        },
        "current": {
            "budget": 300000.0,
            "start_date": "2025-01-06",
            "end_date": "2026-03-31",
            "milestones": [{"name": "Design signed off", "due_date": "2025-04-30"}],
            "planned_value_profile": [{"date": "2025-06-30", "percent": 40.0}],
        },
        "reason": "The supplier's delivery slipped by a quarter.",
        "changed_fields": ["budget", "end_date", "milestones", "planned_value_profile"],
        "change_request_id": "cr-1",
        "changed_by": "olga@example.org",
        "changed_at": "2025-05-02T10:00:00Z",
    },
}

# A change per model that a consumer must refuse: a wrong type or value, or a missing field.
INVALID: dict[type[EventPayload], tuple[str, Any]] = {
    payloads.RequestEvent: ("request_id", None),
    payloads.ProjectCreated: ("start_date", "next tuesday"),
    payloads.ProjectUpdated: ("budget", "a lot"),
    payloads.ProjectClosed: ("version", "3"),
    payloads.MethodologyPublished: ("thresholds", {"cpi_red": "low"}),
    payloads.ComplianceEvaluated: ("score", 1.5),
    payloads.GateDecided: ("decision", "maybe"),
    payloads.StatusReported: ("manager_rag", "purple"),
    payloads.HealthChanged: ("rag", "black"),
    payloads.ProjectAtRisk: ("rag", "green"),
    payloads.ProjectRecovered: ("metrics", [1, 2]),
    payloads.ReportOverdue: ("days_overdue", 2.5),
    payloads.AlertEvent: ("status", "snoozed"),
    payloads.DeliveryEvent: ("channel", "carrier-pigeon"),
    payloads.AlertEscalated: ("level", 0),
    payloads.InterventionOpened: ("reasons", "none"),
    payloads.InterventionAssigned: ("intervention_id", None),
    payloads.ExceptionReported: ("options", [{"key": "x"}]),
    payloads.ExceptionDecided: ("outcome", "shrug"),
    payloads.ActionOverdue: ("days_overdue", -1),
    payloads.InterventionClosed: ("close_reason", "bored"),
    payloads.ScenarioCommitted: ("selected", "r-1"),
    payloads.EarlyWarning: ("code", "hunch"),
    payloads.EarlyWarningCleared: ("as_of", "soon"),
    payloads.AlertSeverityChanged: ("previous_severity", "apocalyptic"),
    payloads.ActionAdded: ("due_date", "whenever"),
    payloads.ActionDone: ("done_at", None),
    payloads.PortfolioEvent: ("owner", None),
    payloads.PortfolioMembership: ("role", "owner"),
    payloads.ProjectRebaselined: ("current", {"budget": 300000.0}),
}

SPECS = sorted(EVENT_CATALOG.values(), key=lambda spec: spec.type)


def spec_ids(spec: EventSpec[EventPayload]) -> str:
    return spec.type


def checked_in_schema(spec: EventSpec[EventPayload]) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (SCHEMAS / schema_export.schema_file_name(spec)).read_text()
    )
    return schema


def envelope_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / schema_export.ENVELOPE_FILE).read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def payload_validator(spec: EventSpec[EventPayload]) -> jsonschema.protocols.Validator:
    schema = checked_in_schema(spec)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def asyncapi() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(ASYNCAPI.read_text())
    return document


def test_the_checked_in_contracts_equal_the_generated_ones() -> None:
    problems = schema_export.check(ROOT)
    assert not problems, "\n\n".join(problems)


def test_check_exits_zero_when_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert schema_export.main(["--check", "--root", str(ROOT)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_the_generated_contracts_are_deterministic() -> None:
    assert schema_export.generate_files() == schema_export.generate_files()
    for text in schema_export.generate_files().values():
        assert text.endswith("\n") and not text.endswith("\n\n")


def test_every_catalog_event_has_a_schema_and_no_schema_is_orphaned() -> None:
    expected = {schema_export.schema_file_name(spec) for spec in SPECS}
    expected.add(schema_export.ENVELOPE_FILE)
    assert {path.name for path in SCHEMAS.glob("*.json")} == expected


def test_every_payload_model_has_samples() -> None:
    models = {spec.payload for spec in SPECS}
    assert models == set(SAMPLES) == set(INVALID)


@pytest.mark.parametrize("spec", SPECS, ids=spec_ids)
def test_the_schema_names_its_event(spec: EventSpec[EventPayload]) -> None:
    schema = checked_in_schema(spec)
    assert schema["$id"] == f"urn:pmo:events:{spec.type}:v{spec.version}"
    assert spec.type in schema["title"]
    assert schema["x-producer"] == spec.producer


@pytest.mark.parametrize("spec", SPECS, ids=spec_ids)
def test_a_sample_payload_validates(spec: EventSpec[EventPayload]) -> None:
    sample = SAMPLES[spec.payload]
    payload_validator(spec).validate(sample)
    # What the producer's model writes validates too (the schema is of the serialised form).
    written = spec.payload.model_validate(sample).model_dump(mode="json")
    payload_validator(spec).validate(written)


@pytest.mark.parametrize("spec", SPECS, ids=spec_ids)
def test_an_invalid_payload_fails(spec: EventSpec[EventPayload]) -> None:
    field, value = INVALID[spec.payload]
    invalid = {**SAMPLES[spec.payload], field: value}
    errors = list(payload_validator(spec).iter_errors(invalid))
    assert errors, f"{field}={value!r} should not validate"
    assert any(field in error.json_path for error in errors)


@pytest.mark.parametrize("spec", SPECS, ids=spec_ids)
def test_a_payload_missing_a_required_field_fails(spec: EventSpec[EventPayload]) -> None:
    required = checked_in_schema(spec)["required"]
    assert required, f"{spec.type} requires nothing"
    sample = {k: v for k, v in SAMPLES[spec.payload].items() if k != required[0]}
    with pytest.raises(jsonschema.ValidationError, match=required[0]):
        payload_validator(spec).validate(sample)


def test_payloads_tolerate_unknown_fields() -> None:
    spec = EVENT_CATALOG["project.at_risk"]
    sample = {**SAMPLES[payloads.ProjectAtRisk], "added_in_a_later_minor": True}
    payload_validator(spec).validate(sample)
    payloads.ProjectAtRisk.model_validate(sample)


@pytest.mark.parametrize("spec", SPECS, ids=spec_ids)
def test_the_envelope_round_trips_and_validates(spec: EventSpec[EventPayload]) -> None:
    payload = spec.payload.model_validate(SAMPLES[spec.payload])
    correlation = correlation_id_var.set("corr-contract")
    trace = traceparent_var.set("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    try:
        event = build_event(
            service=spec.producer, event_type=spec.type, data=payload, subject="p-1"
        )
    finally:
        correlation_id_var.reset(correlation)
        traceparent_var.reset(trace)
    raw = event.to_bytes()
    wire = json.loads(raw)
    envelope_validator().validate(wire)
    assert CloudEvent.from_bytes(raw) == event
    assert wire["correlationid"] == "corr-contract"
    assert wire["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert wire["dataschema"] == checked_in_schema(spec)["$id"]
    assert wire["source"] == f"/pmo/{spec.producer}"
    payload_validator(spec).validate(wire["data"])


def test_an_envelope_without_required_attributes_fails() -> None:
    event = CloudEvent(source="/pmo/intake", type="project.created", data={})
    wire = json.loads(event.to_bytes())
    validator = envelope_validator()
    for attribute in ("id", "source", "type", "specversion", "data"):
        broken = {k: v for k, v in wire.items() if k != attribute}
        assert not validator.is_valid(broken), f"an envelope without {attribute} validated"
    assert not validator.is_valid({**wire, "specversion": "0.3"})


def test_topics_are_the_event_types_and_each_has_a_dead_letter_topic() -> None:
    types = sorted(EVENT_CATALOG)
    assert all_topics() == types + [f"{t}.dlq" for t in types]
    assert dead_letter_topic("project.at_risk") == "project.at_risk.dlq"
    assert DEAD_LETTER_SUFFIX == ".dlq"
    assert all(KAFKA_TOPIC_NAME.match(topic) for topic in all_topics())
    assert len(set(all_topics())) == len(all_topics())


def test_the_asyncapi_document_describes_every_channel() -> None:
    document = asyncapi()
    assert document["asyncapi"] == "3.0.0"
    channels = document["channels"]
    addresses = {channel["address"] for name, channel in channels.items() if name != "deadLetters"}
    assert addresses == set(EVENT_CATALOG)
    dead_letters = channels["deadLetters"]
    assert dead_letters["address"] == "{topic}" + DEAD_LETTER_SUFFIX
    assert dead_letters["parameters"]["topic"]["enum"] == sorted(EVENT_CATALOG)
    for spec in SPECS:
        channel = channels[schema_export.channel_id(spec.type)]
        (reference,) = channel["messages"].values()
        message = resolve(document, reference["$ref"])
        assert message["name"] == spec.type
        assert spec.producer in message["description"]
        assert "project id" in message["bindings"]["kafka"]["key"]["description"]


def test_every_asyncapi_operation_and_reference_resolves() -> None:
    document = asyncapi()
    for operation in document["operations"].values():
        assert operation["action"] in {"send", "receive"}
        channel = resolve(document, operation["channel"]["$ref"])
        for reference in operation["messages"]:
            assert reference["$ref"].startswith(operation["channel"]["$ref"] + "/messages/")
            assert resolve(document, reference["$ref"]) in channel["messages"].values()
    found = list(references(document))
    assert found
    for reference in found:
        resolve(document, reference)


@pytest.mark.parametrize("spec", SPECS, ids=spec_ids)
def test_a_sample_envelope_validates_against_its_asyncapi_message(
    spec: EventSpec[EventPayload],
) -> None:
    document = asyncapi()
    # The whole document is one resource, so the payloads' #/components/... references resolve.
    resource = DRAFT202012.create_resource(document)
    registry: Registry[Any] = Registry().with_resource("urn:pmo:asyncapi", resource)
    message_id = f"{schema_export.channel_id(spec.type)}_v{spec.version}"
    schema = {"$ref": f"urn:pmo:asyncapi#/components/messages/{message_id}/payload"}
    validator = jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    event = build_event(
        service=spec.producer,
        event_type=spec.type,
        data=spec.payload.model_validate(SAMPLES[spec.payload]),
        subject="p-1",
    )
    wire = json.loads(event.to_bytes())
    validator.validate(wire)
    assert not validator.is_valid({**wire, "type": "some.other.event"})
    field, value = INVALID[spec.payload]
    assert not validator.is_valid({**wire, "data": {**wire["data"], field: value}})
