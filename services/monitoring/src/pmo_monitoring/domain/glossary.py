"""The glossary: every metric and reason code, its formula, its meaning, the thresholds in force
and a worked example whose figures the real rules compute (glossary_example.py).

Everything here is a phrase, so the glossary reads in any language monitoring speaks; the
formulas keep the usual abbreviations (CPI, EV...), which PMOs use in French as in English.
"""

from __future__ import annotations

from typing import Literal

from pmo_monitoring.domain.dependencies import dependency_example
from pmo_monitoring.domain.early_warning import DEFAULT_EARLY_WARNING, EarlyWarningSettings
from pmo_monitoring.domain.glossary_example import (
    CURRENCY,
    DURATION_DAYS,
    REPORT_DAY,
    WorkedExample,
    worked_example,
)
from pmo_monitoring.domain.model import Thresholds
from pmo_monitoring.domain.phrases import Day, Index, Money, Number, Percent, Phrase, phrase
from pmo_monitoring.domain.reasons import ReasonCode
from pmo_monitoring.domain.value_records import value_record
from pmo_monitoring.domain.wording import days

TermKind = Literal["metric", "reason"]


@value_record
class Term:
    """One entry: `key` is the metric's field name or the reason's code."""

    key: str
    kind: TermKind
    name: Phrase
    formula: Phrase
    meaning: Phrase
    thresholds: Phrase | None
    example: str
    """A phrase: a reason's example is the message the rules wrote."""


@value_record
class Glossary:
    """Every term, under one set of thresholds, with the example they are worked on."""

    introduction: Phrase
    terms: tuple[Term, ...]


def _money(amount: float) -> Money:
    return Money(amount, CURRENCY)


def _index_limits(amber: float, red: float) -> Phrase:
    return phrase("Amber below {amber}, red below {red}.", amber=Index(amber), red=Index(red))


def _eac_limits(thresholds: Thresholds) -> Phrase:
    return phrase(
        "Amber when EAC exceeds the budget by more than {amber}, red by more than {red}.",
        amber=Percent(thresholds.eac_amber_ratio - 1),
        red=Percent(thresholds.eac_red_ratio - 1),
    )


def _tcpi_limits(settings: EarlyWarningSettings) -> Phrase:
    return phrase(
        "An early warning (amber) when TCPI exceeds {limit}, or exceeds CPI by more than {gap}.",
        limit=Index(settings.tcpi_limit),
        gap=Index(settings.tcpi_cpi_gap),
    )


def _metrics(w: WorkedExample, t: Thresholds, s: EarlyWarningSettings) -> tuple[Term, ...]:
    m, bac = w.metrics, w.baseline.budget
    cpi, spi_t = m.cpi or 0.0, m.spi_t or 0.0
    return (
        Term(
            "pv",
            "metric",
            phrase("Planned value (PV)"),
            phrase("PV = BAC x the share of the work planned by the report's date"),
            phrase("The value of the work the plan expected to be done by the report's date."),
            None,
            phrase(
                "On day {day} of a plan of {duration} spreading {bac} evenly: PV = {pv}.",
                day=REPORT_DAY,
                duration=days(DURATION_DAYS),
                bac=_money(bac),
                pv=_money(m.pv),
            ),
        ),
        Term(
            "ev",
            "metric",
            phrase("Earned value (EV)"),
            phrase("EV = BAC x percent complete"),
            phrase("The value of the work actually done, at the budget's prices."),
            None,
            phrase(
                "{done} of the work is done: EV = {done} x {bac} = {ev}.",
                done=Percent(w.report.percent_complete / 100, 1),
                bac=_money(bac),
                ev=_money(m.ev),
            ),
        ),
        Term(
            "ac",
            "metric",
            phrase("Actual cost (AC)"),
            phrase("AC = the cost spent so far, as reported"),
            phrase("What the work done has really cost so far."),
            None,
            phrase("The status report states {ac} spent: AC = {ac}.", ac=_money(m.ac)),
        ),
        Term(
            "bac",
            "metric",
            phrase("Budget at completion (BAC)"),
            phrase("BAC = the baseline budget"),
            phrase("The total budget the project committed to."),
            None,
            phrase("The baseline's budget: BAC = {bac}.", bac=_money(bac)),
        ),
        Term(
            "cpi",
            "metric",
            phrase("Cost performance index (CPI)"),
            phrase("CPI = EV / AC"),
            phrase(
                "How much work each unit of money spent has produced: below 1, the work "
                "costs more than planned."
            ),
            _index_limits(t.cpi_amber, t.cpi_red),
            phrase("CPI = {ev} / {ac} = {cpi}.", ev=_money(m.ev), ac=_money(m.ac), cpi=Index(cpi)),
        ),
        Term(
            "spi",
            "metric",
            phrase("Schedule performance index (SPI)"),
            phrase("SPI = EV / PV"),
            phrase(
                "How much of the work planned by now is done: below 1, the project is behind "
                "schedule."
            ),
            _index_limits(t.spi_amber, t.spi_red),
            phrase(
                "SPI = {ev} / {pv} = {spi}.",
                ev=_money(m.ev),
                pv=_money(m.pv),
                spi=Index(m.spi or 0.0),
            ),
        ),
        Term(
            "spi_t",
            "metric",
            phrase("Time-based schedule performance index (SPI(t))"),
            phrase(
                "SPI(t) = ES / AT (ES: the day by which the plan expected the work done so far; "
                "AT: the days elapsed)"
            ),
            phrase(
                "Schedule performance measured in time rather than money, reliable until the "
                "very end of the project."
            ),
            _index_limits(t.spi_amber, t.spi_red),
            phrase(
                "The work done was planned for day {es}: SPI(t) = {es} / {at} = {spi_t}.",
                es=Number(m.es or 0.0),
                at=m.at,
                spi_t=Index(spi_t),
            ),
        ),
        Term(
            "eac",
            "metric",
            phrase("Estimate at completion (EAC)"),
            phrase("EAC = BAC / CPI"),
            phrase(
                "What the project will cost in the end if the rest of the work costs what "
                "the work so far has."
            ),
            _eac_limits(t),
            phrase(
                "EAC = {bac} / {cpi} = {eac}.",
                bac=_money(bac),
                cpi=Index(cpi),
                eac=_money(m.eac or 0.0),
            ),
        ),
        Term(
            "etc",
            "metric",
            phrase("Estimate to complete (ETC)"),
            phrase("ETC = EAC - AC"),
            phrase("What remains to be spent to finish the project."),
            None,
            phrase(
                "ETC = {eac} - {ac} = {etc}.",
                eac=_money(m.eac or 0.0),
                ac=_money(m.ac),
                etc=_money(m.etc or 0.0),
            ),
        ),
        Term(
            "vac",
            "metric",
            phrase("Variance at completion (VAC)"),
            phrase("VAC = BAC - EAC"),
            phrase("The expected overrun (negative) or saving (positive) at the end."),
            None,
            phrase(
                "VAC = {bac} - {eac} = {vac}.",
                bac=_money(bac),
                eac=_money(m.eac or 0.0),
                vac=_money(m.vac or 0.0),
            ),
        ),
        Term(
            "tcpi",
            "metric",
            phrase("To-complete performance index (TCPI)"),
            phrase("TCPI = (BAC - EV) / (BAC - AC)"),
            phrase(
                "The cost performance the remaining work needs for the project to finish "
                "within its budget."
            ),
            _tcpi_limits(s),
            phrase(
                "TCPI = ({bac} - {ev}) / ({bac} - {ac}) = {tcpi}.",
                bac=_money(bac),
                ev=_money(m.ev),
                ac=_money(m.ac),
                tcpi=Index(m.tcpi or 0.0),
            ),
        ),
        Term(
            "forecast_end_date",
            "metric",
            phrase("Forecast end date"),
            phrase("Forecast end = start + PD / SPI(t) (PD: the planned duration in days)"),
            phrase("When the project finishes if it keeps its current pace."),
            None,
            phrase(
                "{start} + {duration} / {spi_t} = {forecast}, against a planned end on "
                "{planned_end}.",
                start=Day(w.baseline.start_date),
                duration=days(DURATION_DAYS),
                spi_t=Index(spi_t),
                forecast=Day(m.forecast_end_date) if m.forecast_end_date else "—",
                planned_end=Day(w.baseline.end_date),
            ),
        ),
    )


def _reason(
    w: WorkedExample,
    code: ReasonCode,
    name: Phrase,
    formula: Phrase,
    meaning: Phrase,
    thresholds: Phrase | None,
) -> Term:
    found = w.reasons.get(code)
    # The example is built to set off every signal; a methodology's unusual limits could
    # still leave one green, and the entry then says so rather than invent a message.
    example = found.message if found is not None else phrase("With these figures it stays green.")
    return Term(code, "reason", name, formula, meaning, thresholds, example)


def _reasons(w: WorkedExample, t: Thresholds, s: EarlyWarningSettings) -> tuple[Term, ...]:
    return (
        _reason(
            w,
            ReasonCode.CPI_BELOW_THRESHOLD,
            phrase("Cost performance below threshold"),
            phrase("CPI = EV / AC, against the CPI thresholds"),
            phrase("The work costs more than planned."),
            _index_limits(t.cpi_amber, t.cpi_red),
        ),
        _reason(
            w,
            ReasonCode.SPI_BELOW_THRESHOLD,
            phrase("Schedule performance below threshold"),
            phrase("SPI = EV / PV, against the SPI thresholds"),
            phrase("Less work is done than planned by now."),
            _index_limits(t.spi_amber, t.spi_red),
        ),
        _reason(
            w,
            ReasonCode.SPI_T_BELOW_THRESHOLD,
            phrase("Time-based schedule performance below threshold"),
            phrase("SPI(t) = ES / AT, against the SPI thresholds"),
            phrase("The project is behind schedule, counted in days."),
            _index_limits(t.spi_amber, t.spi_red),
        ),
        _reason(
            w,
            ReasonCode.EAC_OVER_BUDGET,
            phrase("Forecast cost over budget"),
            phrase("EAC = BAC / CPI, against BAC x the EAC ratios"),
            phrase("At the current cost performance the project will overrun its budget."),
            _eac_limits(t),
        ),
        _reason(
            w,
            ReasonCode.MILESTONE_OVERDUE,
            phrase("Milestone overdue"),
            phrase("Days late = the report's date - the due date, for a milestone not done"),
            phrase("A baseline milestone is past its due date and not reported done."),
            phrase(
                "Amber as soon as a milestone is late, red beyond {limit} late.",
                limit=days(t.milestone_red_days_late),
            ),
        ),
        _reason(
            w,
            ReasonCode.REPORT_OVERDUE,
            phrase("Status report overdue"),
            phrase("Days since the last report (or the start) > cadence + grace"),
            phrase("The project has not sent the status report it owes."),
            phrase(
                "Amber when no report has come for more than {cadence} plus {grace} of grace.",
                cadence=days(t.report_cadence_days),
                grace=days(t.report_grace_days),
            ),
        ),
        _reason(
            w,
            ReasonCode.MANAGER_FLAGGED,
            phrase("Flagged by the project manager"),
            phrase("The manager's RAG in the latest report is amber or red"),
            phrase("The project manager rates the project amber or red, whatever the figures."),
            None,
        ),
        _reason(
            w,
            ReasonCode.TREND_WARNING,
            phrase("Trend towards red"),
            phrase(
                "Days to red = (latest index - red threshold) / the daily fall of its "
                "least-squares trend"
            ),
            phrase("CPI or SPI(t) is still above red but falling fast enough to cross it soon."),
            phrase(
                "An early warning (amber) when the trend of the last {window} reports reaches "
                "red within {horizon}.",
                window=s.window,
                horizon=days(s.horizon_days),
            ),
        ),
        _reason(
            w,
            ReasonCode.OPTIMISM_WARNING,
            phrase("Budget unlikely to hold"),
            phrase("TCPI = (BAC - EV) / (BAC - AC), against CPI and the TCPI limit"),
            phrase("Finishing on budget would need a cost performance the project has not shown."),
            _tcpi_limits(s),
        ),
        Term(
            ReasonCode.DEPENDENCY_AT_RISK,
            "reason",
            phrase("Dependency at risk"),
            phrase(
                "Slip = the upstream project's forecast end - the date it is needed by, for an "
                "open dependency of the RAID register"
            ),
            phrase(
                "A project this one depends on is forecast to finish after the date this "
                "project needs it by."
            ),
            phrase(
                "Amber as soon as the upstream project is forecast to finish late, red beyond "
                "{limit} late.",
                limit=days(t.milestone_red_days_late),
            ),
            # Another project's forecast, not the example project's figures: its own example.
            dependency_example(t, w.judged_on).message,
        ),
    )


def glossary(
    thresholds: Thresholds, settings: EarlyWarningSettings = DEFAULT_EARLY_WARNING
) -> Glossary:
    """Every metric and reason code, with `thresholds` in force and the example worked on them."""
    example = worked_example(thresholds, settings)
    introduction = phrase(
        "Worked example: a project of {duration} with a budget of {bac} spread evenly reports "
        "on day {day}, {done} done for {ac} spent; its reasons are judged on {judged_on}.",
        duration=days(DURATION_DAYS),
        bac=_money(example.baseline.budget),
        day=REPORT_DAY,
        done=Percent(example.report.percent_complete / 100, 1),
        ac=_money(example.report.actual_cost),
        judged_on=Day(example.judged_on),
    )
    return Glossary(
        introduction=introduction,
        terms=(*_metrics(example, thresholds, settings), *_reasons(example, thresholds, settings)),
    )
