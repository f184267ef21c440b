"""Walking the JSON documents the contracts are written in (OpenAPI, AsyncAPI, JSON Schema)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def references(node: Any) -> Iterator[str]:
    """Every `$ref` under a JSON node, however nested, each before those beneath it."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def resolve(document: dict[str, Any], reference: str) -> Any:
    """The node a local reference (`#/a/b~1c`, JSON Pointer escapes undone) names in `document`;
    an assertion error saying which part is missing if it names nothing."""
    assert reference.startswith("#/"), f"external reference {reference}"
    node: Any = document
    for part in reference[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert part in node, f"{reference} does not resolve (no {part!r})"
        node = node[part]
    return node
