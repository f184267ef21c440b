"""The services and their development ports, read from the one list in pmo_stack.services.

The deploy checks run without the workspace installed (`uv run --no-project`), so they parse
that module's `SERVICES = {name: port, ...}` literal instead of importing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES_MODULE = "tools/stack/src/pmo_stack/services.py"


def service_ports(repo: Path) -> dict[str, int]:
    """{service: development port} as pmo_stack.services.SERVICES declares them."""
    tree = ast.parse((repo / SERVICES_MODULE).read_text())
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign | ast.Assign)
            and "SERVICES" in {t.id for t in _targets(node) if isinstance(t, ast.Name)}
            and node.value is not None
        ):
            found = ast.literal_eval(node.value)
            if isinstance(found, dict) and found:
                return {str(name): int(port) for name, port in found.items()}
    raise ValueError(f"no SERVICES dict literal in {SERVICES_MODULE}")


def _targets(node: ast.AnnAssign | ast.Assign) -> list[ast.expr]:
    return [node.target] if isinstance(node, ast.AnnAssign) else list(node.targets)
