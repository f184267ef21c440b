"""Write standalone Kubernetes JSON schemas for kubeconform, offline, from kubernetes-validate.

The kubernetes-validate package (PyPI) ships the Kubernetes API's JSON schemas for many
versions, but each kind's schema points into a shared `_definitions.json` by an absolute
reference (`/api/_definitions.json#/$defs/...`) that kubeconform cannot follow from a local
file. This script copies, for every built-in kind found in the given manifests, that kind's
schema with the definitions it reaches inlined under `$defs`: the same layout as kubeconform's
default schema registry (`v<version>-standalone-strict/<kind>-<group>-<version>.json`), so
kubeconform needs no network.

Run it where kubernetes-validate is importable, e.g.
    uv run --no-project --with kubernetes-validate python build_k8s_schemas.py \
        --kubernetes-version 1.29.0 --out .cache/k8s-schemas rendered/*.yaml
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFINITIONS_REF = "/api/_definitions.json#/$defs/"
LOCAL_REF = "#/$defs/"


def schema_file_name(kind: str, api_version: str) -> str:
    """kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json` for a kind and apiVersion."""
    group, _, version = api_version.rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix.lower()}.json"


def kinds_in(manifests: list[Path]) -> set[tuple[str, str]]:
    """The (kind, apiVersion) pairs of every document in the manifest files."""
    found = set()
    for path in manifests:
        for document in yaml.safe_load_all(path.read_text()):
            if isinstance(document, dict) and "kind" in document:
                found.add((document["kind"], document["apiVersion"]))
    return found


def references(node: Any) -> Iterator[str]:
    """Every `$ref` value under a JSON node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def definition_name(ref: str) -> str | None:
    """The definition a reference names, whether absolute or local to _definitions.json."""
    for prefix in (DEFINITIONS_REF, LOCAL_REF):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return None


def reachable_definitions(schema: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    """The definitions a schema reaches, directly or through other definitions."""
    reached: dict[str, Any] = {}
    pending = [name for ref in references(schema) if (name := definition_name(ref))]
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached[name] = definitions[name]
        pending.extend(n for ref in references(definitions[name]) if (n := definition_name(ref)))
    return reached


def standalone(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """A kind's schema with its definitions inlined and its references made local."""
    text = json.dumps(schema).replace(json.dumps(DEFINITIONS_REF)[1:-1], LOCAL_REF)
    result: dict[str, Any] = json.loads(text)
    result.pop("$id", None)
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    result["$defs"] = reachable_definitions(schema, definitions)
    return result


def source_directory(kubernetes_version: str) -> Path:
    """kubernetes-validate's strict schema folder for one Kubernetes version."""
    root = resources.files("kubernetes_validate") / "kubernetes-json-schema"
    folder = Path(str(root)) / f"v{kubernetes_version}-local-strict"
    if not folder.is_dir():
        shipped = sorted(p.name for p in Path(str(root)).iterdir() if p.name.endswith("-strict"))
        raise SystemExit(f"kubernetes-validate has no schemas for {kubernetes_version}: {shipped}")
    return folder


def main(argv: list[str] | None = None) -> int:
    """Write the standalone schemas of the built-in kinds the manifests use."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes-version", required=True, help="e.g. 1.29.0")
    parser.add_argument("--out", type=Path, required=True, help="schema registry root")
    parser.add_argument("manifests", type=Path, nargs="+")
    args = parser.parse_args(argv)

    source = source_directory(args.kubernetes_version)
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    target = args.out / f"v{args.kubernetes_version}-standalone-strict"
    target.mkdir(parents=True, exist_ok=True)

    written = []
    for kind, api_version in sorted(kinds_in(args.manifests)):
        name = schema_file_name(kind, api_version)
        schema_path = source / name
        if not schema_path.is_file():
            continue  # a custom resource (deploy/schemas/), or kubeconform reports it missing
        schema = standalone(json.loads(schema_path.read_text()), definitions)
        (target / name).write_text(json.dumps(schema))
        written.append(name)
    print(f"    {len(written)} Kubernetes {args.kubernetes_version} schemas: {', '.join(written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
