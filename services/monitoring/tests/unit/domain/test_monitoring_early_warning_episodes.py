"""Early-warning episodes: what a health shows, and which episodes it starts and ends."""

from datetime import timedelta
from itertools import pairwise

from pmo_monitoring.domain.assessment import HealthAssessment
from pmo_monitoring.domain.early_warning import optimism_warning, trend_warnings
from pmo_monitoring.domain.early_warning_episodes import (
    ActiveWarning,
    EpisodeChanges,
    ShownWarning,
    episode_changes,
    shown_warnings,
    warnings_in,
)
from pmo_monitoring.domain.model import Thresholds
from pmo_monitoring.domain.reasons import Reason, ReasonCode
from pmo_monitoring.domain.records import reason_records
from pmo_monitoring.domain.trend import TrendPoint, analyse_trend
from pmo_stack.testkit.day_numbers import on

DEFAULTS = Thresholds()
CPI_LOW = Reason(ReasonCode.CPI_BELOW_THRESHOLD, "CPI is 0.85.", "cpi", 0.85, 0.95, "amber")


def declining_spi_t(*, cpi: float = 1.0) -> HealthAssessment:
    """Weekly SPI(t) 0.98 .. 0.93 (CPI flat at `cpi`), TCPI 1.25: both warnings, and a CPI
    reason that is not an early warning; 21 days to red, from the newest report (day 35)."""
    trend = analyse_trend([TrendPoint(on(7 * week), cpi, 0.98 - 0.01 * week) for week in range(6)])
    optimism = optimism_warning(tcpi=1.25, cpi=0.85)
    assert optimism is not None
    return HealthAssessment(
        rag="amber",
        reasons=(CPI_LOW, *trend_warnings(trend, DEFAULTS), optimism),
        metrics=None,
        as_of=on(35),
        trend=trend,
    )


def shown(metric: str, code: str = "trend_warning") -> ShownWarning:
    return ShownWarning(code, metric, f"{metric} warned", 0.9, 0.8, None)


def active(metric: str, code: str = "trend_warning") -> ActiveWarning:
    return ActiveWarning(metric=metric, code=code)


def test_a_trend_warning_names_the_index_its_value_red_and_the_crossing_day() -> None:
    trend, optimism = shown_warnings(declining_spi_t(), DEFAULTS)

    assert (trend.code, trend.metric) == ("trend_warning", "spi_t")
    assert trend.message.startswith("At this trend SPI(t) falls below 0.90 in about 3 weeks.")
    # 0.93 now, losing 0.01 a week: 0.90 in 21 days, counted from the newest report.
    assert (trend.value, trend.threshold) == (0.93, 0.90)
    assert trend.forecast_crossing_date == on(35) + timedelta(days=21)
    assert (optimism.code, optimism.metric) == ("optimism_warning", "tcpi")
    # TCPI 1.25 against the lower of 1.10 and the CPI achieved (0.85) + 0.10.
    assert (optimism.value, optimism.threshold) == (1.25, 0.95)
    assert optimism.forecast_crossing_date is None


def test_the_crossing_day_is_the_first_day_below_red() -> None:
    """Weekly CPI 1.00, 0.985: 0.085 above red, losing 0.015 a week: 39.7 days, so day 40."""
    trend = analyse_trend([TrendPoint(on(0), 1.0, 1.0), TrendPoint(on(7), 0.985, 1.0)])
    assessment = HealthAssessment(
        rag="amber",
        reasons=tuple(trend_warnings(trend, DEFAULTS)),
        metrics=None,
        as_of=on(7),
        trend=trend,
    )

    (warning,) = shown_warnings(assessment, Thresholds(cpi_red=0.90))

    assert (warning.metric, warning.value, warning.threshold) == ("cpi", 0.985, 0.90)
    assert warning.forecast_crossing_date == on(7) + timedelta(days=40)


def test_the_red_threshold_is_the_projects() -> None:
    lenient = Thresholds(spi_amber=0.95, spi_red=0.85)
    assessment = declining_spi_t()

    (trend, _) = shown_warnings(assessment, lenient)

    assert trend.threshold == 0.85


def test_a_health_without_early_warnings_shows_none() -> None:
    assessment = HealthAssessment(rag="amber", reasons=(CPI_LOW,), metrics=None, as_of=on(0))

    assert shown_warnings(assessment, DEFAULTS) == ()


def test_a_first_warning_starts_an_episode() -> None:
    changes = episode_changes([], [shown("cpi"), shown("tcpi", "optimism_warning")])

    assert changes == EpisodeChanges(
        started=(shown("cpi"), shown("tcpi", "optimism_warning")), ended=()
    )


def test_a_warning_still_shown_starts_nothing_however_it_reads_now() -> None:
    reworded = ShownWarning("trend_warning", "cpi", "CPI falls in about 2 weeks.", 0.91, 0.9, None)

    assert episode_changes([active("cpi")], [reworded]) == EpisodeChanges((), ())


def test_a_warning_no_longer_shown_ends_its_episode_and_only_its() -> None:
    under_way = [active("tcpi", "optimism_warning"), active("cpi")]

    changes = episode_changes(under_way, [shown("tcpi", "optimism_warning")])

    assert changes == EpisodeChanges(started=(), ended=(active("cpi"),))


def test_the_warnings_under_way_are_those_the_replaced_health_showed() -> None:
    stored = [
        {"code": "cpi_below_threshold", "metric": "cpi", "message": "CPI is 0.85."},
        {"code": "trend_warning", "metric": "spi_t_days_to_red", "message": "At this trend"},
        {"code": "optimism_warning", "metric": "tcpi", "message": "Finishing on budget"},
    ]

    assert warnings_in(stored) == (active("spi_t"), active("tcpi", "optimism_warning"))
    assert warnings_in([]) == ()


def test_episodes_follow_a_series_of_healths() -> None:
    """Warned, warned again, cleared, warned anew: two starts and one end; each health is
    compared with the one it replaced, as stored (its reason records)."""
    assessment = declining_spi_t()
    warned = tuple(reason_records(assessment.reasons))
    quiet = tuple(reason_records([CPI_LOW]))
    series = [quiet, warned, warned, quiet, warned]
    starts: list[str] = []
    ends: list[str] = []
    for replaced, stored in pairwise(series):
        now = assessment if stored == warned else HealthAssessment("amber", (CPI_LOW,), None, on(0))
        changes = episode_changes(warnings_in(replaced), shown_warnings(now, DEFAULTS))
        starts += [warning.metric for warning in changes.started]
        ends += [warning.metric for warning in changes.ended]

    assert starts == ["spi_t", "tcpi", "spi_t", "tcpi"]
    assert ends == ["spi_t", "tcpi"]
