"""Service boundaries are import-linter contracts (pyproject.toml); these tests check that the
contracts hold and that they cover every service of the one service list (pmo_stack.services)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pmo_stack.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(f"pmo_{service}" for service in SERVICES)


def contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    found: list[dict[str, Any]] = config["contracts"]
    return found


def test_the_workspace_holds_exactly_the_listed_services() -> None:
    on_disk = sorted(
        p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").is_file()
    )
    assert on_disk == sorted(SERVICES)


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.is_file(), f"import-linter is not installed at {lint_imports}"
    result = subprocess.run(
        [str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout


def test_the_services_are_independent_and_common_imports_none() -> None:
    (independence,) = [c for c in contracts() if c["type"] == "independence"]
    assert sorted(independence["modules"]) == PACKAGES
    (common,) = [c for c in contracts() if c.get("source_modules") == ["pmo_common"]]
    assert sorted(common["forbidden_modules"]) == PACKAGES


@pytest.mark.parametrize("package", PACKAGES)
def test_each_service_has_its_layers_contract(package: str) -> None:
    layered = [c for c in contracts() if c["type"] == "layers" and c["containers"] == [package]]
    assert [c["layers"] for c in layered] == [["api", "handlers", "db", "domain"]]
    api_rule = [
        c
        for c in contracts()
        if c["type"] == "forbidden" and c["source_modules"] == [f"{package}.api"]
    ]
    assert [c["forbidden_modules"] for c in api_rule] == [[f"{package}.db"]]


def test_every_domain_is_held_pure() -> None:
    (purity,) = [c for c in contracts() if c["name"].startswith("Domains are pure")]
    assert sorted(purity["source_modules"]) == [f"{package}.domain" for package in PACKAGES]
    assert {"fastapi", "sqlalchemy", "pydantic", "aiokafka", "pmo_common"} <= set(
        purity["forbidden_modules"]
    )
