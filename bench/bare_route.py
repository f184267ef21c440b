"""The baseline of every report-rate figure: a bare FastAPI route taking the same body.

It validates a `StatusReportIn` exactly as monitoring's route does and answers it back, with
no authentication, database or events, so the ratio of the real route's rate to this one's is
what the service adds on top of FastAPI and pydantic.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pmo_monitoring.api.schemas import StatusReportIn


def bare_report_app() -> FastAPI:
    """A FastAPI app with monitoring's status-report route shape and nothing behind it."""
    app = FastAPI()

    @app.post("/v1/projects/{project_id}/status-reports", status_code=201)
    async def take_report(project_id: str, body: StatusReportIn) -> dict[str, Any]:
        return {"project_id": project_id, **body.model_dump(mode="json")}

    @app.get("/healthz")
    async def alive() -> dict[str, str]:
        return {"status": "ok"}

    return app
