"""Which events a change of RAG publishes."""

import pytest
from pmo_monitoring.domain.transitions import decide_transition

RAGS = ["green", "amber", "red", "unknown"]


@pytest.mark.parametrize(
    ("previous", "new", "events", "severity"),
    [
        (None, "green", ("project.health_changed",), None),
        (None, "red", ("project.health_changed", "project.at_risk"), "critical"),
        ("green", "green", (), None),
        ("green", "amber", ("project.health_changed",), None),
        ("amber", "red", ("project.health_changed", "project.at_risk"), "critical"),
        ("green", "red", ("project.health_changed", "project.at_risk"), "critical"),
        ("unknown", "red", ("project.health_changed", "project.at_risk"), "critical"),
        ("red", "red", (), None),
        ("red", "amber", ("project.health_changed", "project.recovered"), None),
        ("red", "green", ("project.health_changed", "project.recovered"), None),
        ("red", "unknown", ("project.health_changed",), None),
        ("amber", "green", ("project.health_changed",), None),
    ],
)
def test_transition_table(
    previous: str | None, new: str, events: tuple[str, ...], severity: str | None
) -> None:
    transition = decide_transition(previous, new)

    assert transition.event_types == events
    assert transition.severity == severity


@pytest.mark.parametrize("previous", [None, *RAGS])
@pytest.mark.parametrize("new", RAGS)
def test_at_risk_and_recovered_never_fire_together(previous: str | None, new: str) -> None:
    transition = decide_transition(previous, new)

    assert not (transition.at_risk and transition.recovered)
    assert transition.health_changed == (previous != new)
    assert transition.at_risk == (new == "red" and previous != "red")


def test_unknown_rag_strings_are_refused() -> None:
    with pytest.raises(ValueError, match="not a RAG"):
        decide_transition("green", "orange")
