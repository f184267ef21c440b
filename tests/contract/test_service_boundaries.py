"""Service boundaries: no service imports another, libs/common imports none, domains stay pure."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").is_file())
# A domain holds pure rules: no web framework, database, validation library, broker or HTTP client.
DOMAIN_FORBIDDEN = frozenset(
    {
        "fastapi",
        "starlette",
        "sqlalchemy",
        "alembic",
        "asyncpg",
        "aiosqlite",
        "pydantic",
        "pydantic_settings",
        "aiokafka",
        "httpx",
    }
)


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every absolute import, including importlib.import_module("...")."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def package_dir(service: str) -> Path:
    return ROOT / "services" / service / "src" / f"pmo_{service}"


def violations(files: Iterator[Path], forbidden: frozenset[str]) -> list[str]:
    found = []
    for path in files:
        for line, module in imported_modules(path):
            if module.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


def test_the_workspace_has_the_four_services() -> None:
    assert SERVICES == ["intake", "monitoring", "notifications", "standards"]


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.is_file(), f"import-linter is not installed at {lint_imports}"
    result = subprocess.run(
        [str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service: str) -> None:
    files = list(package_dir(service).rglob("*.py"))
    assert files, f"no sources under {package_dir(service)}"
    # pmo_stack is development tooling: no service may depend on it either.
    forbidden = frozenset(
        {f"pmo_{other}" for other in SERVICES if other != service} | {"pmo_stack"}
    )
    assert not violations(iter(files), forbidden)


def test_libs_common_imports_no_service() -> None:
    files = (ROOT / "libs" / "common" / "src" / "pmo_common").rglob("*.py")
    forbidden = frozenset({f"pmo_{service}" for service in SERVICES} | {"pmo_stack"})
    assert not violations(files, forbidden)


def test_domain_packages_import_no_infrastructure() -> None:
    domains = [package_dir(s) / "domain" for s in SERVICES if (package_dir(s) / "domain").is_dir()]
    assert domains, "no service has a domain/ package yet"
    found = []
    for domain in domains:
        found += violations(domain.rglob("*.py"), DOMAIN_FORBIDDEN)
    assert not found, "\n".join(found)


def test_the_import_scanner_sees_every_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import pmo_intake.api\n"
        "from pmo_standards import domain\n"
        "from . import sibling\n"
        "import importlib\n"
        "importlib.import_module('pmo_monitoring.db')\n"
        "__import__('pmo_notifications')\n"
    )
    modules = [module for _, module in imported_modules(sample)]
    assert modules == [
        "pmo_intake.api",
        "pmo_standards",
        "importlib",
        "pmo_monitoring.db",
        "pmo_notifications",
    ]
