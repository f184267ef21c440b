"""Generate the event contracts (JSON Schemas and the AsyncAPI document) from the pydantic models.

`python -m pmo_common.events.schema_export --write` refreshes the checked-in files;
`--check` fails, with a summary of the differences, when they no longer match the models.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from pmo_common.events.catalog import EVENT_CATALOG, EventSpec
from pmo_common.events.envelope import CLOUDEVENTS_CONTENT_TYPE, CloudEvent
from pmo_common.events.payloads import EventPayload
from pmo_common.messaging.topics import DEAD_LETTER_SUFFIX

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_SCHEMA_ID = "urn:pmo:events:cloudevent"
SCHEMAS_DIR = Path("libs/common/schemas")
ASYNCAPI_PATH = Path("docs/asyncapi.yaml")
ENVELOPE_FILE = "cloudevent.json"
_DEFS_PREFIX = "#/$defs/"
_COMPONENT_SCHEMAS = "#/components/schemas/"
_DIFF_LINES = 40

Json = dict[str, Any]


def schema_id(spec: EventSpec[EventPayload]) -> str:
    """The `$id` of an event's payload schema; envelopes carry it as `dataschema`."""
    return f"urn:pmo:events:{spec.type}:v{spec.version}"


def schema_file_name(spec: EventSpec[EventPayload]) -> str:
    """The file holding an event's payload schema, under libs/common/schemas."""
    return f"{spec.type}.v{spec.version}.json"


def event_schema(spec: EventSpec[EventPayload]) -> Json:
    """The JSON Schema of one event's payload, as it appears on the wire."""
    schema = spec.payload.model_json_schema(mode="serialization")
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = schema_id(spec)
    schema["title"] = f"{spec.type} v{spec.version} ({spec.payload.__name__})"
    schema["x-event-type"] = spec.type
    schema["x-producer"] = spec.producer
    return schema


def envelope_schema() -> Json:
    """The JSON Schema of the CloudEvents envelope in structured mode."""
    schema = CloudEvent.model_json_schema(mode="serialization")
    # to_bytes() drops only None values, so every field with a non-None default is always sent:
    # requiring those matches the wire, and the CloudEvents spec (id, source, specversion, type).
    schema["required"] = [
        name
        for name, field in CloudEvent.model_fields.items()
        if field.is_required() or field.default_factory is not None or field.default is not None
    ]
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = ENVELOPE_SCHEMA_ID
    schema["title"] = "CloudEvents 1.0 envelope (structured JSON mode)"
    return schema


def _rewrite_refs(node: Any) -> Any:
    # Payload schemas point at their own $defs; inside the AsyncAPI document those definitions
    # live under components/schemas, shared by every message.
    if isinstance(node, dict):
        return {
            key: (
                _COMPONENT_SCHEMAS + value.removeprefix(_DEFS_PREFIX)
                if key == "$ref" and isinstance(value, str) and value.startswith(_DEFS_PREFIX)
                else _rewrite_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _add_component(schemas: Json, name: str, schema: Json) -> None:
    if name in schemas and schemas[name] != schema:
        raise ValueError(f"two different payload models both define a schema named {name!r}")
    schemas[name] = schema


def _component_schemas() -> Json:
    envelope = envelope_schema()
    schemas: Json = {
        "CloudEvent": {k: v for k, v in envelope.items() if k not in ("$id", "$schema")}
    }
    for spec in EVENT_CATALOG.values():
        schema = event_schema(spec)
        for name, definition in schema.pop("$defs", {}).items():
            _add_component(schemas, name, _rewrite_refs(definition))
        del schema["$id"], schema["$schema"]
        _add_component(schemas, _message_id(spec), _rewrite_refs(schema))
    return schemas


def channel_id(event_type: str) -> str:
    """The AsyncAPI channel id of a topic (ids may not contain dots)."""
    return event_type.replace(".", "_")


def _message_id(spec: EventSpec[EventPayload]) -> str:
    return f"{channel_id(spec.type)}_v{spec.version}"


def _key_description(spec: EventSpec[EventPayload]) -> str:
    field = spec.payload.model_fields.get("project_id")
    if field is not None and field.is_required():
        return "The project id (`data.project_id`, also the CloudEvent `subject`)."
    return (
        "The CloudEvent `subject`: the project id when the event concerns a project, "
        "otherwise the identifier the subject names (no key when there is none)."
    )


def _headers_schema() -> Json:
    return {
        "type": "object",
        "description": "Kafka record headers (CloudEvents Kafka protocol binding, structured).",
        "properties": {
            "content-type": {"type": "string", "const": CLOUDEVENTS_CONTENT_TYPE},
            "correlation-id": {
                "type": "string",
                "description": "Same value as the `correlationid` extension attribute.",
            },
            "traceparent": {
                "type": "string",
                "description": "W3C trace context; same value as the `traceparent` attribute.",
            },
        },
        "required": ["content-type"],
    }


def _message(spec: EventSpec[EventPayload]) -> Json:
    return {
        "name": spec.type,
        "title": f"{spec.type} v{spec.version}",
        "summary": spec.summary,
        "description": f"Produced by the {spec.producer} service.",
        "contentType": CLOUDEVENTS_CONTENT_TYPE,
        "correlationId": {"location": "$message.header#/correlation-id"},
        "headers": {"$ref": "#/components/schemas/KafkaHeaders"},
        "bindings": {
            "kafka": {
                "bindingVersion": "0.5.0",
                "key": {"type": "string", "description": _key_description(spec)},
            }
        },
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/CloudEvent"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": spec.type},
                        "source": {"const": f"/pmo/{spec.producer}"},
                        "dataschema": {"const": schema_id(spec)},
                        "data": {"$ref": _COMPONENT_SCHEMAS + _message_id(spec)},
                    },
                },
            ]
        },
    }


def _dead_letter_parts() -> tuple[Json, Json, Json]:
    topics = sorted(EVENT_CATALOG)
    channel = {
        "address": "{topic}" + DEAD_LETTER_SUFFIX,
        "title": "Dead letters",
        "description": (
            f"Every event topic has a dead-letter topic `<topic>{DEAD_LETTER_SUFFIX}`. A consumer "
            "that cannot apply a record (not a CloudEvent, a permanent error, or still failing "
            "after its bounded retries) writes the original key, value and headers there with "
            "`dlq-*` headers saying why, commits its offset and moves on."
        ),
        "parameters": {"topic": {"enum": topics, "description": "The original event topic."}},
        "messages": {"deadLetter": {"$ref": "#/components/messages/deadLetter"}},
    }
    text = {"type": "string"}
    message = {
        "name": "deadLetter",
        "title": "Dead-lettered record",
        "summary": "A record a consumer gave up on, unchanged, with the reason in headers.",
        "headers": {
            "type": "object",
            "properties": {
                "dlq-error": {**text, "description": "The error, at most 4000 characters."},
                "dlq-error-type": {**text, "description": "The exception class name."},
                "dlq-original-topic": text,
                "dlq-original-partition": text,
                "dlq-original-offset": text,
                "dlq-consumer-group": text,
                "dlq-failed-at": {**text, "format": "date-time"},
            },
            "required": ["dlq-error", "dlq-error-type", "dlq-original-topic"],
        },
        "payload": {"description": "The original record value, byte for byte (maybe invalid)."},
    }
    operation = {
        "action": "send",
        "channel": {"$ref": "#/channels/deadLetters"},
        "summary": "Any consuming service dead-letters a record it cannot apply.",
        "messages": [{"$ref": "#/channels/deadLetters/messages/deadLetter"}],
    }
    return channel, message, operation


def asyncapi_document() -> Json:
    """The AsyncAPI 3.0 description of every event channel and the dead-letter topics."""
    channels: Json = {}
    operations: Json = {}
    messages: Json = {}
    for spec in EVENT_CATALOG.values():
        message_id = _message_id(spec)
        messages[message_id] = _message(spec)
        if channel_id(spec.type) in channels:
            raise ValueError(f"two event types map to the channel id {channel_id(spec.type)!r}")
        channels[channel_id(spec.type)] = {
            "address": spec.type,
            "title": spec.type,
            "summary": spec.summary,
            "description": f"Topic = event type. Produced by the {spec.producer} service.",
            "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
            "bindings": {"kafka": {"bindingVersion": "0.5.0", "topic": spec.type}},
        }
        operations[f"publish_{channel_id(spec.type)}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id(spec.type)}"},
            "summary": f"The {spec.producer} service publishes {spec.type} from its outbox.",
            "messages": [{"$ref": f"#/channels/{channel_id(spec.type)}/messages/{message_id}"}],
        }
    dlq_channel, dlq_message, dlq_operation = _dead_letter_parts()
    channels["deadLetters"] = dlq_channel
    messages["deadLetter"] = dlq_message
    operations["dead_letter_unapplicable_records"] = dlq_operation
    schemas = _component_schemas()
    schemas["KafkaHeaders"] = _headers_schema()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "PMO events",
            "version": "1.0.0",
            "description": (
                "Every event the PMO services exchange over Kafka, generated from the payload "
                "models in pmo_common.events. Envelope: CloudEvents 1.0, structured JSON mode. "
                "Topic = event type; record key = project id, so one project's events stay in "
                "order. Delivery is at least once: consumers de-duplicate by CloudEvent id."
            ),
        },
        "defaultContentType": CLOUDEVENTS_CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _json_text(document: Json) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _yaml_text(document: Json) -> str:
    header = "# Generated by `python -m pmo_common.events.schema_export --write`; do not edit.\n"
    body = yaml.safe_dump(
        document, sort_keys=True, allow_unicode=True, default_flow_style=False, width=100
    )
    return header + body


def generate_files() -> dict[str, str]:
    """Every generated file, keyed by its path relative to the repository root."""
    files = {
        (SCHEMAS_DIR / schema_file_name(spec)).as_posix(): _json_text(event_schema(spec))
        for spec in EVENT_CATALOG.values()
    }
    files[(SCHEMAS_DIR / ENVELOPE_FILE).as_posix()] = _json_text(envelope_schema())
    files[ASYNCAPI_PATH.as_posix()] = _yaml_text(asyncapi_document())
    return dict(sorted(files.items()))


def _stale_files(root: Path, expected: dict[str, str]) -> list[str]:
    directory = root / SCHEMAS_DIR
    found = sorted(p.relative_to(root).as_posix() for p in directory.glob("*.json"))
    return [path for path in found if path not in expected]


def check(root: Path) -> list[str]:
    """Readable differences between the checked-in files and the generated ones (empty: equal)."""
    expected = generate_files()
    problems: list[str] = []
    for path, text in expected.items():
        target = root / path
        if not target.exists():
            problems.append(f"missing: {path}")
            continue
        current = target.read_text(encoding="utf-8")
        if current != text:
            diff = list(
                difflib.unified_diff(
                    current.splitlines(),
                    text.splitlines(),
                    f"{path} (checked in)",
                    f"{path} (generated)",
                    lineterm="",
                )
            )
            shown = "\n".join(diff[:_DIFF_LINES])
            more = (
                f"\n  ... {len(diff) - _DIFF_LINES} more diff lines"
                if len(diff) > _DIFF_LINES
                else ""
            )
            problems.append(f"differs: {path}\n{shown}{more}")
    problems.extend(f"stale (no such event any more): {p}" for p in _stale_files(root, expected))
    return problems


def write(root: Path) -> list[str]:
    """Write every generated file and delete stale schemas; returns the paths changed."""
    expected = generate_files()
    changed = []
    for path, text in expected.items():
        target = root / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in _stale_files(root, expected):
        (root / path).unlink()
        changed.append(path)
    return changed


def repository_root() -> Path:
    """The monorepo root this (editable) package lives in."""
    root = Path(__file__).resolve().parents[5]
    if not (root / "libs" / "common" / "pyproject.toml").is_file():
        raise RuntimeError(f"{root} is not the repository root; pass --root")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: --write refreshes the files, --check compares them."""
    parser = argparse.ArgumentParser(prog="python -m pmo_common.events.schema_export")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the generated files")
    mode.add_argument("--check", action="store_true", help="fail when checked-in files differ")
    parser.add_argument("--root", type=Path, default=None, help="repository root")
    args = parser.parse_args(argv)
    root: Path = args.root or repository_root()
    if args.write:
        changed = write(root)
        print("\n".join(f"wrote {path}" for path in changed) or "event contracts up to date")
        return 0
    problems = check(root)
    if problems:
        print("\n\n".join(problems), file=sys.stderr)
        print(
            f"\n{len(problems)} event contract file(s) out of date; run "
            "`uv run python -m pmo_common.events.schema_export --write` and commit the result.",
            file=sys.stderr,
        )
        return 1
    print(f"event contracts up to date ({len(generate_files())} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
