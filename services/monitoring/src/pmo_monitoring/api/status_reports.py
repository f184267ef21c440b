"""Routes of status reports."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_monitoring.api.access import ScopedCaller, ensure_can_read, ensure_can_report
from pmo_monitoring.api.languages import AnswerLanguage, name_language
from pmo_monitoring.api.schemas import (
    FiledReportOut,
    StatusReportIn,
    StatusReportOut,
    StatusReportRevisionOut,
)
from pmo_monitoring.domain.copying import fields_of
from pmo_monitoring.domain.model import MilestoneStatus, Risk, StatusReport
from pmo_monitoring.domain.report_regression import Correction
from pmo_monitoring.handlers import report_commands, report_queries
from pmo_monitoring.handlers.health_assessment import today_utc
from pmo_monitoring.handlers.health_queries import health_view
from pmo_monitoring.handlers.project_queries import load_project
from pmo_monitoring.languages import in_language

router = APIRouter(prefix="/v1/projects/{project_id}/status-reports", tags=["status reports"])


def _contents(body: StatusReportIn) -> StatusReport:
    return StatusReport(
        as_of=body.as_of,
        percent_complete=body.percent_complete,
        actual_cost=body.actual_cost,
        milestones=tuple(
            MilestoneStatus(name=m.name, status=m.status, forecast_date=m.forecast_date)
            for m in body.milestones
        ),
        risks=tuple(
            Risk(title=r.title, probability=r.probability, impact=r.impact) for r in body.risks
        ),
        manager_rag=body.manager_rag,
        summary=body.summary,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FiledReportOut)
async def file_status_report(
    project_id: str,
    body: StatusReportIn,
    principal: ScopedCaller,
    session: SessionDep,
    once: OnceDep,
    language: AnswerLanguage,
) -> JSONResponse:
    """File a status report; one for an as_of already reported replaces it (same id).

    A report that lowers percent_complete or actual_cost, or is dated before the newest
    report, is refused (422) unless it says `correction: true` with a `correction_note`.

    The health in the answer speaks the language Accept-Language asks for.
    """

    async def file() -> FiledReportOut:
        # The lock serialises reports on one project, so each sees the previous one's RAG.
        context = await load_project(session, project_id=project_id, for_update=True)
        ensure_can_report(principal, context.project)
        filed = await report_commands.file_status_report(
            session,
            context=context,
            contents=_contents(body),
            correction=Correction(body.correction, body.correction_note),
            reported_by=principal.email or principal.subject,
            today=today_utc(),
            risk_ids=body.risk_ids,
        )
        return FiledReportOut.model_validate(
            {
                # Its milestones and risks are records: the answer reads their attributes.
                **fields_of(filed.report),
                "replaced": filed.replaced,
                "health": in_language(health_view(context, filed.health), language),
            }
        )

    answer = await once.run(
        body, file, location=lambda filed: f"/v1/projects/{project_id}/status-reports/{filed.id}"
    )
    # A retry with the same Idempotency-Key replays the first answer (same client, same
    # headers), so the language named is the one it was written in.
    name_language(answer, language.code)
    return answer


@router.get("", response_model=Page[StatusReportOut])
async def list_status_reports(
    project_id: str, principal: ScopedCaller, session: SessionDep, page: PageDep
) -> Page[StatusReportOut]:
    """A project's status reports, newest as_of first."""
    context = await load_project(session, project_id=project_id)
    ensure_can_read(principal, context.project)
    listed = await report_queries.list_reports(session, project_id=project_id, page=page)
    return StatusReportOut.page_of(listed, page)


@router.get("/{report_id}", response_model=StatusReportOut)
async def read_status_report(
    project_id: str, report_id: str, principal: ScopedCaller, session: SessionDep
) -> StatusReportOut:
    """One status report."""
    context = await load_project(session, project_id=project_id)
    ensure_can_read(principal, context.project)
    report = await report_queries.get_report(session, project_id=project_id, report_id=report_id)
    return StatusReportOut.model_validate(report)


@router.get("/{report_id}/revisions", response_model=Page[StatusReportRevisionOut])
async def list_status_report_revisions(
    project_id: str,
    report_id: str,
    principal: ScopedCaller,
    session: SessionDep,
    page: PageDep,
) -> Page[StatusReportRevisionOut]:
    """Every version of one status report as filed (replacements, corrections), oldest first."""
    context = await load_project(session, project_id=project_id)
    ensure_can_read(principal, context.project)
    listed = await report_queries.list_revisions(
        session, project_id=project_id, report_id=report_id, page=page
    )
    return StatusReportRevisionOut.page_of(listed, page)
