"""The contract generator: --write produces the files, --check names what drifted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pmo_common.events import schema_export
from pmo_common.events.catalog import EVENT_CATALOG


@pytest.fixture
def root(tmp_path: Path) -> Path:
    schema_export.write(tmp_path)
    return tmp_path


def test_write_produces_one_schema_per_event_the_envelope_and_asyncapi(root: Path) -> None:
    names = {p.name for p in (root / "libs/common/schemas").iterdir()}
    assert names == {f"{t}.v1.json" for t in EVENT_CATALOG} | {"cloudevent.json"}
    assert (root / "docs/asyncapi.yaml").read_text().startswith("# Generated")
    assert schema_export.check(root) == []


def test_a_second_write_changes_nothing(root: Path) -> None:
    assert schema_export.write(root) == []


def test_schema_files_are_sorted_pretty_json_with_a_trailing_newline(root: Path) -> None:
    text = (root / "libs/common/schemas/project.at_risk.v1.json").read_text()
    schema = json.loads(text)
    assert text == json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert schema["$id"] == "urn:pmo:events:project.at_risk:v1"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_envelope_schema_requires_what_is_always_sent(root: Path) -> None:
    schema = json.loads((root / "libs/common/schemas/cloudevent.json").read_text())
    assert set(schema["required"]) == {
        "specversion",
        "id",
        "source",
        "type",
        "time",
        "datacontenttype",
        "data",
    }


def test_check_names_a_changed_a_missing_and_a_stale_file(root: Path) -> None:
    changed = root / "libs/common/schemas/project.closed.v1.json"
    changed.write_text(changed.read_text().replace('"closed_at"', '"closed_on"'))
    (root / "docs/asyncapi.yaml").unlink()
    (root / "libs/common/schemas/project.renamed.v1.json").write_text("{}\n")
    problems = schema_export.check(root)
    assert len(problems) == 3
    differs = next(p for p in problems if p.startswith("differs:"))
    assert "project.closed.v1.json" in differs
    assert '"closed_on"' in differs and '"closed_at"' in differs
    assert "missing: docs/asyncapi.yaml" in problems
    assert "stale (no such event any more): libs/common/schemas/project.renamed.v1.json" in problems


def test_main_check_fails_readably_and_write_repairs(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "libs/common/schemas/alert.raised.v1.json").write_text("{}")
    assert schema_export.main(["--check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "differs: libs/common/schemas/alert.raised.v1.json" in err
    assert "--write" in err
    assert schema_export.main(["--write", "--root", str(root)]) == 0
    assert schema_export.main(["--check", "--root", str(root)]) == 0


def test_main_needs_a_mode() -> None:
    with pytest.raises(SystemExit):
        schema_export.main([])
