"""The domain layer imports only the standard library and itself (no framework, no I/O)."""

import ast
import sys
from pathlib import Path

import pmo_monitoring.domain

DOMAIN_DIR = Path(pmo_monitoring.domain.__file__).parent


def imported_top_level_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_modules_import_only_stdlib_and_the_domain_itself() -> None:
    modules = sorted(DOMAIN_DIR.glob("*.py"))
    assert len(modules) >= 7

    for module in modules:
        for name in imported_top_level_modules(module):
            top = name.split(".")[0]
            allowed = top in sys.stdlib_module_names or name.startswith("pmo_monitoring.domain")
            assert allowed, f"{module.name} imports {name}"
