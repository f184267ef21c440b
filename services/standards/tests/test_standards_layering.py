"""The domain layer imports only the standard library and itself (no framework, no I/O)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pmo_standards.domain

DOMAIN = Path(pmo_standards.domain.__file__).parent


def imported_roots(source: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module)
    return roots


def test_domain_modules_import_only_the_standard_library_and_the_domain() -> None:
    modules = sorted(DOMAIN.glob("*.py"))
    assert len(modules) >= 5
    for module in modules:
        for name in imported_roots(module):
            root = name.split(".")[0]
            allowed = root in sys.stdlib_module_names or name.startswith("pmo_standards.domain")
            assert allowed, f"{module.name} imports {name}"
