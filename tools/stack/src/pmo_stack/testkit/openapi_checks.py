"""Checks of a service's HTTP contract as its OpenAPI document states it, shared by every suite.

`check_request_body_examples` holds every service to the rule of ADR 0010: each request body is
one input model of its `api/schemas.py` and documents examples, and every documented example is
valid for its model, read as a client sends it (JSON). `refused_fields` reads the 422 problem a
refused body answers with.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any

import httpx
from pmo_common.web.inputs import StrictInput

from pmo_stack.testkit.json_documents import references

__all__ = ["check_request_body_examples", "input_models", "refused_fields", "request_body_models"]


def refused_fields(response: httpx.Response) -> list[str]:
    """The fields a 422 problem names (fails on any other answer)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [error["field"] for error in response.json()["errors"]]


def input_models(schemas: ModuleType) -> dict[str, type[StrictInput]]:
    """The request models (`StrictInput`s) a service's `api/schemas.py` defines or imports."""
    return {
        name: model
        for name, model in vars(schemas).items()
        if isinstance(model, type) and issubclass(model, StrictInput) and model is not StrictInput
    }


def _schema_refs(schema: Any) -> Iterator[str]:
    """The component names a schema refers to, however nested (`anyOf` for optional bodies)."""
    return (ref.rsplit("/", 1)[-1] for ref in references(schema))


def request_body_models(document: Mapping[str, Any]) -> dict[str, str]:
    """`METHOD path` of every operation taking a body, with the one component its body is."""
    bodies: dict[str, str] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None:
                continue
            refs = list(_schema_refs(body["content"]["application/json"]["schema"]))
            assert len(refs) == 1, f"{method.upper()} {path}: one model per body, got {refs}"
            bodies[f"{method.upper()} {path}"] = refs[0]
    return bodies


def check_request_body_examples(document: Mapping[str, Any], schemas: ModuleType) -> dict[str, str]:
    """Fail unless every request body documents examples its model accepts; the bodies found.

    Every body is an input model of `schemas` and documents at least one example; every component
    documenting examples is an input model, and each example validates as JSON against it; an
    input model the document never shows must be the base of another one (nothing else may go
    undocumented). Returns `METHOD path` -> component name, for the caller to check the list.
    """
    components: Mapping[str, Any] = document["components"]["schemas"]
    models = input_models(schemas)
    bodies = request_body_models(document)
    for operation, name in bodies.items():
        assert name in models, f"{operation}: {name} is no input model of {schemas.__name__}"
        assert components[name].get("examples"), f"{operation}: {name} documents no example"
    for name, component in components.items():
        examples = component.get("examples", [])
        assert not examples or name in models, f"{name} documents examples but is no input model"
        for example in examples:
            # As a client sends it: JSON (strict numbers, dates as strings).
            models[name].model_validate_json(json.dumps(example))
    for name, model in models.items():
        if name in components:
            assert components[name].get("examples"), f"{name} documents no example"
        else:
            bases = [other for other in models.values() if other is not model]
            assert any(issubclass(other, model) for other in bases), f"{name} is not documented"
    return bodies
