"""Standards' rules as plain functions: methodology validation, seeds, compliance, practices."""

from __future__ import annotations

import math

import pytest
from pmo_common.contract import SEEDED_METHODOLOGY_KEYS
from pmo_standards.domain.compliance import assess_compliance, required_deliverable
from pmo_standards.domain.methodology import (
    THRESHOLD_KEYS,
    Gate,
    Methodology,
    RuleViolation,
    build_methodology,
    deliverable_key,
    methodology_issues,
    threshold_issues,
)
from pmo_standards.domain.practices import normalise_tags, search_needle, search_text
from pmo_standards.domain.projects import supersedes
from pmo_standards.domain.seeded_methodologies import SEEDED_METHODOLOGIES, WATERFALL


def fields_of(thresholds: dict[str, float]) -> list[str]:
    return [issue.field for issue in threshold_issues(thresholds)]


def test_seeded_methodologies_cover_the_contract_and_break_no_rule() -> None:
    keys = {m.key for m in SEEDED_METHODOLOGIES}
    assert keys >= SEEDED_METHODOLOGY_KEYS
    for methodology in SEEDED_METHODOLOGIES:
        assert methodology_issues(methodology) == []
        assert set(methodology.thresholds) == set(THRESHOLD_KEYS), methodology.key
        assert methodology.gates and all(g.required_deliverables for g in methodology.gates)


def test_waterfall_follows_the_pmbok_process_groups_with_the_default_tolerances() -> None:
    assert WATERFALL.phases == (
        "initiating",
        "planning",
        "executing",
        "monitoring_and_controlling",
        "closing",
    )
    assert WATERFALL.report_cadence_days == 14
    assert {k: WATERFALL.thresholds[k] for k in ("cpi_amber", "cpi_red", "spi_amber")} == {
        "cpi_amber": 0.95,
        "cpi_red": 0.90,
        "spi_amber": 0.95,
    }
    assert (WATERFALL.thresholds["eac_amber_ratio"], WATERFALL.thresholds["eac_red_ratio"]) == (
        1.05,
        1.10,
    )


def test_unknown_threshold_key_is_named() -> None:
    assert fields_of({"cpi_amber": 0.9, "cpi_yellow": 0.8}) == ["thresholds.cpi_yellow"]


@pytest.mark.parametrize(
    ("thresholds", "blamed"),
    [
        ({"cpi_amber": 0.90, "cpi_red": 0.95}, "thresholds.cpi_red"),
        ({"spi_amber": 0.80, "spi_red": 0.85}, "thresholds.spi_red"),
        ({"eac_amber_ratio": 1.2, "eac_red_ratio": 1.1}, "thresholds.eac_red_ratio"),
        # A lone override is checked against the default it leaves in place (amber 0.95).
        ({"cpi_red": 0.97}, "thresholds.cpi_red"),
        # ...and the blame goes to the key the caller sent.
        ({"eac_amber_ratio": 1.5}, "thresholds.eac_amber_ratio"),
    ],
)
def test_red_must_be_the_worse_limit(thresholds: dict[str, float], blamed: str) -> None:
    assert fields_of(thresholds) == [blamed]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("cpi_amber", 0.0),
        ("cpi_red", 1.2),
        ("eac_red_ratio", 0.9),
        ("report_cadence_days", 0),
        ("report_cadence_days", 91),
        ("report_grace_days", 2.5),
        ("milestone_red_days_late", -1),
        ("spi_red", math.nan),
    ],
)
def test_out_of_range_thresholds_are_refused(key: str, value: float) -> None:
    assert fields_of({key: value}) == [f"thresholds.{key}"]


def test_equal_amber_and_red_limits_are_allowed() -> None:
    assert threshold_issues({"cpi_amber": 0.9, "cpi_red": 0.9, "eac_amber_ratio": 1.1}) == []


def _methodology(**overrides: object) -> Methodology:
    arguments: dict[str, object] = {
        "key": "kanban",
        "name": "Kanban",
        "description": None,
        "phases": ["flow"],
        "gates": [Gate("launch", "Launch", "flow", ("board_policy",))],
        "report_cadence_days": None,
        "thresholds": {},
    }
    arguments.update(overrides)
    return build_methodology(**arguments)  # type: ignore[arg-type]


def test_cadence_comes_from_the_field_or_the_threshold_and_is_always_published() -> None:
    assert _methodology().thresholds == {"report_cadence_days": 14}
    assert _methodology(report_cadence_days=7).thresholds["report_cadence_days"] == 7
    assert _methodology(thresholds={"report_cadence_days": 21}).report_cadence_days == 21


def test_cadence_given_twice_must_agree() -> None:
    with pytest.raises(RuleViolation) as caught:
        _methodology(report_cadence_days=7, thresholds={"report_cadence_days": 14})
    assert caught.value.issues[0].field == "thresholds.report_cadence_days"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"key": "Kanban"}, "key"),
        ({"key": "k"}, "key"),
        ({"report_cadence_days": 91}, "report_cadence_days"),
        ({"phases": [], "gates": []}, "phases"),
        ({"phases": ["flow", "flow"]}, "phases.1"),
        ({"gates": [Gate("launch", "Launch", "nowhere", ())]}, "gates.0.phase"),
        ({"gates": [Gate("a1", "A", None, ()), Gate("a1", "B", None, ())]}, "gates.1.key"),
        (
            {"gates": [Gate("a1", "A", None, ("Risk log", "risk-log"))]},
            "gates.0.required_deliverables.1",
        ),
    ],
)
def test_definition_issues_name_their_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        _methodology(**overrides)
    assert [issue.field for issue in caught.value.issues] == [field]


def test_deliverable_names_compare_ignoring_case_spaces_and_punctuation() -> None:
    assert (
        deliverable_key("Project Charter")
        == deliverable_key("project-charter")
        == ("project_charter")
    )
    assert deliverable_key("Étude préalable") == "étude_préalable"


def test_compliance_score_counts_submitted_required_deliverables() -> None:
    submitted = [
        ("charter_approval", "Project Charter"),
        ("charter_approval", "stakeholder_register"),
        ("plan_approval", "risk_register"),
        # Filed under the wrong gate, or not required at all: these count for nothing.
        ("plan_approval", "business_case"),
        ("retired_gate", "project_charter"),
    ]
    assessment = assess_compliance(WATERFALL, submitted)
    required = sum(len(g.required_deliverables) for g in WATERFALL.gates)
    assert assessment.required_count == required == 14
    assert assessment.submitted_count == 3
    assert assessment.score == round(3 / 14, 4)
    assert not assessment.compliant
    charter = assessment.gates[0]
    assert charter.submitted == ("project_charter", "stakeholder_register")
    assert charter.missing == ("business_case",) and not charter.met
    assert len(assessment.findings) == len(WATERFALL.gates)
    assert "business_case" in assessment.findings[0].message


def test_a_project_with_every_deliverable_in_is_compliant() -> None:
    everything = [(g.key, d) for g in WATERFALL.gates for d in g.required_deliverables]
    assessment = assess_compliance(WATERFALL, everything)
    assert assessment.score == 1.0 and assessment.compliant and assessment.findings == ()


def test_a_methodology_without_required_deliverables_scores_one() -> None:
    bare = _methodology(gates=[])
    assert assess_compliance(bare, []).score == 1.0


def test_required_deliverable_resolves_to_the_methodology_spelling() -> None:
    name = required_deliverable(WATERFALL, gate_key="charter_approval", name="Project Charter")
    assert name == "project_charter"


@pytest.mark.parametrize(
    ("gate", "name", "field", "hint"),
    [
        ("no_such_gate", "project_charter", "gate", "charter_approval"),
        ("plan_approval", "project_charter", "gate", "charter_approval"),
        ("plan_approval", "pizza_order", "name", "risk_register"),
    ],
)
def test_required_deliverable_names_the_field_at_fault(
    gate: str, name: str, field: str, hint: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        required_deliverable(WATERFALL, gate_key=gate, name=name)
    issue = caught.value.issues[0]
    assert issue.field == field and hint in issue.reason


def test_only_a_newer_version_supersedes() -> None:
    assert supersedes(1, None)
    assert supersedes(3, 2)
    assert not supersedes(2, 2)
    assert not supersedes(1, 2)


def test_practice_search_text_is_folded_and_tags_normalised() -> None:
    tags = normalise_tags(["  Risk  Management ", "risk management", "EVM", ""])
    assert tags == ("risk management", "evm")
    text = search_text(title="Weekly Risk Review", body="Walk the register.", tags=tags)
    assert search_needle("  RISK review ") in text
    assert search_needle("EVM") in text
    assert search_needle("review walk") not in text  # fields never run into each other
