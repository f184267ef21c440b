"""Routes of status reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from pmo_common.auth.dependencies import CurrentPrincipal
from pmo_common.problems import ProblemException
from pmo_common.web import idempotency
from pmo_common.web.app_factory import RuntimeDep, SessionDep
from pmo_common.web.pagination import Page, PageDep, make_page

from pmo_monitoring.api.access import ensure_can_read, ensure_can_report, load_project
from pmo_monitoring.api.schemas import FiledReportOut, StatusReportIn, StatusReportOut
from pmo_monitoring.db import report_repository as reports
from pmo_monitoring.handlers import report_commands
from pmo_monitoring.handlers.health_assessment import today_utc
from pmo_monitoring.handlers.health_queries import project_health

router = APIRouter(prefix="/v1/projects/{project_id}/status-reports", tags=["status reports"])


def _fields(body: StatusReportIn) -> dict[str, Any]:
    dumped = body.model_dump(mode="json")
    return {**dumped, "as_of": body.as_of}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FiledReportOut)
async def file_status_report(
    project_id: str,
    body: StatusReportIn,
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> Any:
    """File a status report; one for an as_of already reported replaces it (same id)."""
    fields = _fields(body)
    request_hash = idempotency.fingerprint({"project_id": project_id, **fields})
    tables = runtime.tables
    replayed = await idempotency.replay(session, tables, principal, idempotency_key, request_hash)
    if replayed is not None:
        return replayed
    # The lock serialises reports on one project, so each sees the previous one's RAG.
    project = await load_project(session, project_id, for_update=True)
    ensure_can_report(principal, project)
    today = today_utc()
    filed = await report_commands.file_status_report(
        session,
        runtime.emit,
        project=project,
        fields=fields,
        reported_by=principal.email or principal.subject,
        today=today,
    )
    health = await project_health(session, project, today=today)
    answer = FiledReportOut.model_validate(
        {**filed.report, "replaced": filed.replaced, "health": health}
    ).model_dump(mode="json")
    await idempotency.remember(
        session, tables, principal, idempotency_key, request_hash, 201, answer
    )
    await session.commit()
    location = f"/v1/projects/{project_id}/status-reports/{filed.report['id']}"
    return JSONResponse(answer, status_code=201, headers={"Location": location})


@router.get("", response_model=Page[StatusReportOut])
async def list_status_reports(
    project_id: str, principal: CurrentPrincipal, session: SessionDep, page: PageDep
) -> Page[StatusReportOut]:
    """A project's status reports, newest as_of first."""
    project = await load_project(session, project_id)
    ensure_can_read(principal, project)
    rows = await reports.list_reports(session, project_id, limit=page.limit + 1, offset=page.offset)
    return make_page([StatusReportOut.model_validate(row) for row in rows], page)


@router.get("/{report_id}", response_model=StatusReportOut)
async def read_status_report(
    project_id: str, report_id: str, principal: CurrentPrincipal, session: SessionDep
) -> StatusReportOut:
    """One status report."""
    project = await load_project(session, project_id)
    ensure_can_read(principal, project)
    report = await reports.get_report(session, project_id, report_id)
    if report is None:
        raise ProblemException(
            404,
            "Status report not found",
            f"Project {project_id} has no status report with id {report_id}.",
        )
    return StatusReportOut.model_validate(report)
