"""Recompute the health of many projects over their whole report series.

Builds seeded synthetic projects (straight-line and S-curve baselines, milestones, risks)
with monthly status reports, then times passes over the same reports:

1. `compute_earned_value` alone, the baseline every other figure is divided by;
2. `assess_history`, each project's reports with the trend over the preceding reports and
   hysteresis against the previous assessment: the recompute of a project's history;
3. the reference for it: `assess_health` called report by report with the same history and
   previous assessment, the straightforward way;
4. `assess_health` as the service calls it for a single report (no history, no previous).

The recompute must give the reference's results: every assessment is compared field by field,
and the RAG counts and a digest of every RAG and reason are printed for both. Any difference
ends the benchmark with a non-zero exit status. Times are printed, never asserted: wall time
depends on the machine, the ratio to the baseline measured in the same run much less so.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pmo_monitoring.domain import (
    DEFAULT_EARLY_WARNING,
    DEFAULT_THRESHOLDS,
    BaselineMilestone,
    HealthAssessment,
    MilestoneStatus,
    PlannedValuePoint,
    ProjectBaseline,
    ReasonCode,
    Risk,
    StatusReport,
    TrendPoint,
    assess_health,
    assess_history,
    compute_earned_value,
    planned_value_at,
)
from pmo_monitoring.domain.model import ManagerRag

DEFAULT_PROJECTS = 10_000
REPORTS_PER_PROJECT = 12
REPORT_INTERVAL_DAYS = 30
DEFAULT_SEED = 20_240_101
DEFAULT_REPEAT = 3
_MANAGER_RAGS: tuple[ManagerRag | None, ...] = (None, None, "green", "green", "green", "amber")
_S_CURVE = (3.0, 12.0, 30.0, 55.0, 78.0, 93.0)  # cumulative % at 1/7 .. 6/7 of the duration


@dataclass(frozen=True, slots=True)
class SyntheticProject:
    """A baseline and its status reports, oldest first."""

    baseline: ProjectBaseline
    reports: tuple[StatusReport, ...]


def build_projects(count: int, seed: int) -> list[SyntheticProject]:
    """`count` projects with REPORTS_PER_PROJECT monthly reports each, from `seed`."""
    rng = random.Random(seed)
    return [_project(rng, index) for index in range(count)]


def _project(rng: random.Random, index: int) -> SyntheticProject:
    start = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 540))
    duration = rng.randrange(180, 721)
    end = start + timedelta(days=duration)
    profile: tuple[PlannedValuePoint, ...] = ()
    if rng.random() < 0.5:
        profile = tuple(
            PlannedValuePoint(start + timedelta(days=duration * (step + 1) // 7), percent)
            for step, percent in enumerate(_S_CURVE)
        )
    milestones = tuple(
        BaselineMilestone(f"M{m}", start + timedelta(days=duration * (m + 1) // 6))
        for m in range(rng.randrange(0, 6))
    )
    baseline = ProjectBaseline(
        project_id=f"p-{index}",
        name=f"Project {index}",
        start_date=start,
        end_date=end,
        budget=float(rng.randrange(50_000, 5_000_000)),
        milestones=milestones,
        portfolio_id=f"pf-{index % 25}",
        planned_value_profile=profile,
    )
    return SyntheticProject(baseline, _reports(rng, baseline))


def _reports(rng: random.Random, baseline: ProjectBaseline) -> tuple[StatusReport, ...]:
    pace = rng.uniform(0.92, 1.1)  # schedule performance the project drifts around
    drift = rng.uniform(-0.012, 0.004)  # per report: some projects slowly lose their grip
    efficiency = rng.uniform(0.9, 1.12)
    reports: list[StatusReport] = []
    percent = 0.0
    for number in range(1, REPORTS_PER_PROJECT + 1):
        day = number * REPORT_INTERVAL_DAYS
        as_of = baseline.start_date + timedelta(days=day)
        pace = max(0.3, pace + drift + rng.gauss(0, 0.01))
        planned = 100.0 * planned_value_at(baseline, as_of) / baseline.budget
        percent = min(100.0, max(percent, planned * pace + rng.gauss(0, 1)))
        earned = baseline.budget * percent / 100
        cost = earned / max(0.3, efficiency + rng.gauss(0, 0.02))
        reports.append(
            StatusReport(
                as_of=as_of,
                percent_complete=percent,
                actual_cost=cost,
                milestones=tuple(
                    MilestoneStatus(
                        m.name,
                        "done" if m.due_date <= as_of and rng.random() < 0.95 else "in_progress",
                        m.due_date + timedelta(days=rng.randrange(-5, 30)),
                    )
                    for m in baseline.milestones
                ),
                risks=tuple(
                    Risk(f"R{r}", round(rng.random(), 2), rng.randrange(1, 6))
                    for r in range(rng.randrange(0, 6))
                ),
                manager_rag=rng.choice(_MANAGER_RAGS),
            )
        )
    return tuple(reports)


def earned_value_pass(projects: Sequence[SyntheticProject]) -> Counter[str]:
    """The baseline: bare earned-value metrics of every report."""
    for project in projects:
        for report in project.reports:
            compute_earned_value(project.baseline, report)
    return Counter()


def plain_pass(projects: Sequence[SyntheticProject]) -> Counter[str]:
    """assess_health on every report as the service calls it for one report; counts the RAGs."""
    rags: Counter[str] = Counter()
    for project in projects:
        previous_rag = None
        for report in project.reports:
            assessment = assess_health(
                project.baseline, report, DEFAULT_THRESHOLDS, report.as_of, None
            )
            rags[assessment.rag] += 1
            rags["at_risk events"] += assessment.rag == "red" and previous_rag != "red"
            previous_rag = assessment.rag
    return rags


def recompute_pass(projects: Sequence[SyntheticProject]) -> Counter[str]:
    """assess_history over every project's reports; counts the outcomes."""
    outcomes: Counter[str] = Counter()
    for project in projects:
        _count(outcomes, assess_history(project.baseline, project.reports, DEFAULT_THRESHOLDS))
    return outcomes


def reference_pass(projects: Sequence[SyntheticProject]) -> Counter[str]:
    """The same outcomes through assess_health, one report at a time."""
    outcomes: Counter[str] = Counter()
    for project in projects:
        _count(outcomes, reference_history(project))
    return outcomes


def reference_history(project: SyntheticProject) -> list[HealthAssessment]:
    """Each report with the trend over the preceding ones and hysteresis, one call per report."""
    keep = DEFAULT_EARLY_WARNING.window - 1  # the current report completes the window
    history: list[TrendPoint] = []
    previous: HealthAssessment | None = None
    assessments: list[HealthAssessment] = []
    for report in project.reports:
        assessment = assess_health(
            project.baseline,
            report,
            DEFAULT_THRESHOLDS,
            report.as_of,
            None,
            history=history[-keep:],
            previous=previous,
        )
        assessments.append(assessment)
        if assessment.metrics is not None:
            history.append(TrendPoint.from_metrics(assessment.metrics))
        previous = assessment
    return assessments


def _count(outcomes: Counter[str], assessments: Sequence[HealthAssessment]) -> None:
    previous: HealthAssessment | None = None
    for assessment in assessments:
        outcomes[assessment.rag] += 1
        outcomes["at_risk events"] += assessment.at_risk and not (previous and previous.at_risk)
        for reason in assessment.reasons:
            if reason.code in (ReasonCode.TREND_WARNING, ReasonCode.OPTIMISM_WARNING):
                outcomes[str(reason.code)] += 1
        previous = assessment


@dataclass(slots=True)
class Comparison:
    """assess_history against the per-report reference, assessment by assessment.

    The digests are SHA-256 over every assessment's date, RAG and reasons (code and colour).
    """

    compared: int = 0
    differing: int = 0
    first_difference: str = ""
    recompute_digest: str = ""
    reference_digest: str = ""


def compare_with_reference(projects: Sequence[SyntheticProject]) -> Comparison:
    """Every assessment of assess_history compared with the reference's, and both digested."""
    comparison = Comparison()
    recompute_digest, reference_digest = hashlib.sha256(), hashlib.sha256()
    for project in projects:
        recomputed = assess_history(project.baseline, project.reports, DEFAULT_THRESHOLDS)
        reference = reference_history(project)
        recompute_digest.update(_digest_input(recomputed))
        reference_digest.update(_digest_input(reference))
        comparison.compared += len(reference)
        for index, (mine, theirs) in enumerate(zip(recomputed, reference, strict=False)):
            if mine != theirs:
                comparison.differing += 1
                comparison.first_difference = comparison.first_difference or (
                    f"{project.baseline.project_id} report {index + 1}: {mine!r} != {theirs!r}"
                )
        if len(recomputed) != len(reference):
            comparison.differing += abs(len(recomputed) - len(reference))
            comparison.first_difference = comparison.first_difference or (
                f"{project.baseline.project_id}: {len(recomputed)} assessments, "
                f"{len(reference)} expected"
            )
    comparison.recompute_digest = recompute_digest.hexdigest()
    comparison.reference_digest = reference_digest.hexdigest()
    return comparison


def _digest_input(assessments: Sequence[HealthAssessment]) -> bytes:
    lines = []
    for assessment in assessments:
        reasons = ",".join(f"{reason.code}:{reason.rag}" for reason in assessment.reasons)
        lines.append(f"{assessment.as_of}|{assessment.rag}|{reasons}\n")
    return "".join(lines).encode()


def _timed(
    run: Callable[[Sequence[SyntheticProject]], Counter[str]],
    projects: Sequence[SyntheticProject],
    repeat: int,
) -> tuple[list[float], Counter[str]]:
    seconds: list[float] = []
    outcome: Counter[str] = Counter()
    for _ in range(repeat):
        began = time.perf_counter()
        outcome = run(projects)
        seconds.append(time.perf_counter() - began)
    return seconds, outcome


def main(argv: Sequence[str] | None = None) -> None:
    """Build the projects, time the passes, print the figures; exit 1 if results differ."""
    parser = argparse.ArgumentParser(prog="bench.health_recompute", description=__doc__)
    parser.add_argument("--projects", type=int, default=DEFAULT_PROJECTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        help="runs of the baseline and of the recompute; the best counts",
    )
    args = parser.parse_args(argv)
    projects = build_projects(max(args.projects, 1), args.seed)
    reports = sum(len(project.reports) for project in projects)
    profiled = sum(1 for project in projects if project.baseline.planned_value_profile)
    repeat = max(args.repeat, 1)

    passes = (
        ("compute_earned_value (baseline)", earned_value_pass, repeat),
        ("assess_history, trend + hysteresis", recompute_pass, repeat),
        ("reference: assess_health per report", reference_pass, 1),
        ("assess_health per report, as today", plain_pass, 1),
    )
    timings = [(label, *_timed(run, projects, runs)) for label, run, runs in passes]
    baseline_seconds = min(timings[0][1])

    print("health_recompute")
    print(
        f"  projects {len(projects):,} ({profiled:,} with a PV profile), reports {reports:,}, "
        f"seed {args.seed}; the best of the runs counts"
    )
    runs_header = "".join(f"{f'run {number}':>8}" for number in range(1, repeat + 1))
    print(f"  {'pass':<38}{runs_header}{'reports/s':>11}{'ratio':>7}")
    for label, seconds, _ in timings:
        best = min(seconds)
        runs = "".join(f"{value:>8.3f}" for value in seconds) + " " * 8 * (repeat - len(seconds))
        rate = reports / best if best > 0 else float("inf")
        ratio = best / baseline_seconds if baseline_seconds > 0 else float("nan")
        print(f"  {label:<38}{runs}{rate:>11,.0f}{ratio:>7.2f}")
    recomputed, reference, today = timings[1][2], timings[2][2], timings[3][2]
    colours = ("green", "amber", "red", "at_risk events")
    print(f"  RAGs assess_history:     {_counts(recomputed, colours)}")
    print(f"  RAGs reference:          {_counts(reference, colours)}")
    print(f"  RAGs as today:           {_counts(today, colours)}")
    print(
        f"  early warnings:          {_counts(recomputed, ('trend_warning', 'optimism_warning'))}"
    )
    comparison = compare_with_reference(projects)
    print(
        f"  digest of RAGs + reasons: assess_history {comparison.recompute_digest[:16]}, "
        f"reference {comparison.reference_digest[:16]}"
    )
    same_digest = comparison.recompute_digest == comparison.reference_digest
    if comparison.differing or recomputed != reference or not same_digest:
        raise SystemExit(
            f"health_recompute: assess_history differs from the reference on "
            f"{comparison.differing:,} of {comparison.compared:,} assessments "
            f"(RAG counts equal: {recomputed == reference}); first: {comparison.first_difference}"
        )
    print(f"  assess_history equals the reference on all {comparison.compared:,} assessments")


def _counts(counter: Counter[str], keys: Sequence[str]) -> str:
    return ", ".join(f"{key} {counter[key]:,}" for key in keys)


if __name__ == "__main__":
    main()
