"""Risk exposure: probability x impact, the total and the top three."""

from datetime import date

import pytest
from pmo_monitoring.domain.health_rules import assess_health
from pmo_monitoring.domain.model import ProjectBaseline, Risk, StatusReport, Thresholds
from pmo_monitoring.domain.risk_exposure import risk_exposure


def test_exposure_total_and_top_three_highest_first() -> None:
    # 0.5 x 4 = 2.0, 0.2 x 5 = 1.0, 0.9 x 2 = 1.8, 0.1 x 1 = 0.1; total 4.9.
    risks = [
        Risk("Supplier insolvency", 0.5, 4),
        Risk("Key person leaves", 0.2, 5),
        Risk("Scope creep", 0.9, 2),
        Risk("Licence audit", 0.1, 1),
    ]

    exposure = risk_exposure(risks)

    assert exposure.total == pytest.approx(4.9)
    assert exposure.top_titles == ("Supplier insolvency", "Scope creep", "Key person leaves")
    assert [score.exposure for score in exposure.top] == pytest.approx([2.0, 1.8, 1.0])
    assert len(exposure.risks) == 4


def test_ties_keep_the_reported_order_and_no_risks_is_zero() -> None:
    exposure = risk_exposure([Risk("A", 0.5, 2), Risk("B", 0.25, 4), Risk("C", 1.0, 1)])

    assert exposure.top_titles == ("A", "B", "C")
    empty = risk_exposure([])
    assert (empty.total, empty.top) == (0, ())
    assert risk_exposure([Risk("A", 0.5, 2)], top=0).top == ()


def test_risks_do_not_change_the_rag_but_travel_with_the_assessment() -> None:
    start = date(2024, 1, 1)
    plan = ProjectBaseline("p", "X", start, date(2024, 4, 10), 100_000.0)
    report = StatusReport(
        date(2024, 2, 20), 50, 50_000, risks=(Risk("Vendor", 1.0, 5), Risk("Power", 0.1, 2))
    )

    assessment = assess_health(plan, report, Thresholds(), report.as_of, None)

    assert assessment.rag == "green"
    assert assessment.risks is not None
    assert assessment.risks.total == pytest.approx(5.2)
