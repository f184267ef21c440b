"""The methodologies standards ships with (docs/adr/0004-methodologies.md explains the figures)."""

from __future__ import annotations

from pmo_standards.domain.methodology import (
    DEFAULT_THRESHOLDS,
    Gate,
    Methodology,
    build_methodology,
)


def _tolerances(**own: float) -> dict[str, float]:
    """The default tolerances with the methodology's own where they differ.

    The cadence is left out: each methodology declares it as `report_cadence_days`.
    """
    defaults = {k: v for k, v in DEFAULT_THRESHOLDS.items() if k != "report_cadence_days"}
    return {**defaults, **own}


WATERFALL = build_methodology(
    key="waterfall",
    name="Waterfall (PMBOK process groups)",
    description=(
        "Predictive life cycle following the PMBOK process groups: each phase closes at a gate "
        "where the PMO reviews its deliverables before the next one starts."
    ),
    phases=["initiating", "planning", "executing", "monitoring_and_controlling", "closing"],
    gates=[
        Gate(
            "charter_approval",
            "Charter approval",
            "initiating",
            ("project_charter", "stakeholder_register", "business_case"),
        ),
        Gate(
            "plan_approval",
            "Plan approval",
            "planning",
            (
                "project_management_plan",
                "scope_baseline",
                "schedule_baseline",
                "cost_baseline",
                "risk_register",
            ),
        ),
        Gate(
            "delivery_acceptance",
            "Delivery acceptance",
            "monitoring_and_controlling",
            ("accepted_deliverables", "change_log", "quality_report"),
        ),
        Gate(
            "project_closure",
            "Project closure",
            "closing",
            ("final_report", "lessons_learned", "acceptance_sign_off"),
        ),
    ],
    report_cadence_days=14,
    thresholds=_tolerances(),
)

PRINCE2 = build_methodology(
    key="prince2",
    name="PRINCE2 (management by exception)",
    description=(
        "Managed by stages; the project board delegates within tolerances and the project "
        "manager escalates an exception as soon as a forecast breaches them, so amber trips "
        "earlier than in the PMBOK defaults."
    ),
    phases=["starting_up", "initiating", "delivery_stages", "closing"],
    gates=[
        Gate(
            "authorise_initiation",
            "Authorise initiation",
            "starting_up",
            ("project_brief", "outline_business_case", "initiation_stage_plan"),
        ),
        Gate(
            "authorise_project",
            "Authorise the project",
            "initiating",
            (
                "project_initiation_documentation",
                "detailed_business_case",
                "project_plan",
                "risk_management_approach",
            ),
        ),
        Gate(
            "stage_boundary",
            "End stage assessment",
            "delivery_stages",
            ("end_stage_report", "next_stage_plan", "updated_business_case"),
        ),
        Gate(
            "authorise_closure",
            "Authorise project closure",
            "closing",
            ("end_project_report", "lessons_report", "follow_on_action_recommendations"),
        ),
    ],
    report_cadence_days=14,
    thresholds=_tolerances(
        cpi_amber=0.97,
        cpi_red=0.92,
        spi_amber=0.97,
        spi_red=0.92,
        eac_amber_ratio=1.03,
        eac_red_ratio=1.08,
        milestone_red_days_late=10,
        report_grace_days=2,
    ),
)

SCRUM = build_methodology(
    key="scrum",
    name="Scrum (two-week sprints)",
    description=(
        "Iterative delivery in fixed two-week sprints; progress is reported once per sprint. "
        "Scope flexes sprint by sprint, so schedule and forecast tolerances are wider, while "
        "cost (a steady team burn rate) keeps the default tolerance."
    ),
    phases=["inception", "sprints", "release"],
    gates=[
        Gate(
            "inception_review",
            "Inception review",
            "inception",
            ("product_vision", "product_backlog", "definition_of_done"),
        ),
        Gate(
            "release_readiness",
            "Release readiness",
            "release",
            ("release_notes", "product_owner_acceptance", "sprint_review_records"),
        ),
    ],
    report_cadence_days=14,
    thresholds=_tolerances(
        spi_amber=0.90, spi_red=0.80, eac_amber_ratio=1.10, eac_red_ratio=1.20, report_grace_days=2
    ),
)

HYBRID = build_methodology(
    key="hybrid",
    name="Hybrid (predictive governance, iterative delivery)",
    description=(
        "Plan-driven initiation, planning and closure around an iterative delivery phase; "
        "tolerances sit between waterfall's and scrum's."
    ),
    phases=["initiating", "planning", "iterative_delivery", "transition", "closing"],
    gates=[
        Gate(
            "charter_approval",
            "Charter approval",
            "initiating",
            ("project_charter", "business_case"),
        ),
        Gate(
            "plan_approval",
            "Plan approval",
            "planning",
            ("project_management_plan", "release_roadmap", "risk_register"),
        ),
        Gate(
            "release_readiness",
            "Release readiness",
            "transition",
            ("release_notes", "acceptance_report"),
        ),
        Gate(
            "project_closure",
            "Project closure",
            "closing",
            ("final_report", "lessons_learned"),
        ),
    ],
    report_cadence_days=14,
    thresholds=_tolerances(spi_amber=0.92, spi_red=0.85, eac_amber_ratio=1.07, eac_red_ratio=1.15),
)

SEEDED_METHODOLOGIES: tuple[Methodology, ...] = (WATERFALL, PRINCE2, SCRUM, HYBRID)
