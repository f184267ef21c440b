"""Recovery actions past their due date are announced once each (intervention.action_overdue)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pmo_common.web.runtime import ServiceRuntime
from pmo_stack.testkit import eventually
from pmo_stack.testkit.in_process import running
from pmo_standards.config import StandardsSettings
from pmo_standards.handlers.action_overdue_detection import announce_overdue_actions
from pmo_standards.main import create_app

if TYPE_CHECKING:
    from conftest import InterventionDesk

TODAY = datetime.now(UTC).date()


async def test_each_overdue_action_is_announced_once(
    interventions: InterventionDesk, standards_runtime: ServiceRuntime
) -> None:
    case = await interventions.open_case()
    late = await interventions.add_action(case["id"], TODAY - timedelta(days=3), "Late")
    due_today = await interventions.add_action(case["id"], TODAY, "Due today")
    done = await interventions.add_action(case["id"], TODAY - timedelta(days=1), "Done")
    await interventions.finish(case["id"], done)

    sessions = standards_runtime.sessions
    assert await announce_overdue_actions(sessions, today=TODAY) == 1
    assert await announce_overdue_actions(sessions, today=TODAY) == 0
    (event,) = await interventions.outbox("intervention.action_overdue")
    assert event.subject == case["project_id"]
    assert (event.data["action_id"], event.data["title"], event.data["days_overdue"]) == (
        late,
        "Late",
        3,
    )
    assert event.data["action_owner"] == "owner@corp.example"
    assert event.data["intervention_id"] == case["id"]

    # Tomorrow the action due today is late too; the late one is not announced again.
    assert await announce_overdue_actions(sessions, today=TODAY + timedelta(days=1)) == 1
    announced = [
        e.data["action_id"] for e in await interventions.outbox("intervention.action_overdue")
    ]
    assert announced == [late, due_today]


async def test_actions_of_a_closed_case_are_not_chased(
    interventions: InterventionDesk, standards_runtime: ServiceRuntime
) -> None:
    case = await interventions.open_case()
    await interventions.add_action(case["id"], TODAY - timedelta(days=2))
    decided = await interventions.post(case["id"], "exception-report", {
        "title": "t", "cause": "c", "consequences": "q", "recommendation": "a",
        "options": [
            {"key": "a", "description": "a", "cost_impact": 0.0, "schedule_impact_days": 0},
            {"key": "b", "description": "b", "cost_impact": 0.0, "schedule_impact_days": 0},
        ],
    })  # fmt: skip
    assert decided.status_code == 201
    await interventions.post(case["id"], "decision", {"outcome": "premature_close"})
    assert await announce_overdue_actions(standards_runtime.sessions, today=TODAY) == 0


async def test_the_job_checks_on_its_interval(
    standards_settings: StandardsSettings, interventions: InterventionDesk
) -> None:
    case = await interventions.open_case()
    await interventions.add_action(case["id"], TODAY - timedelta(days=1))
    # A second app on the same database, with the check on: its job announces the action.
    settings = standards_settings.model_copy(update={"action_overdue_check_seconds": 0.05})
    async with running(create_app(settings)):

        async def announced() -> bool:
            return len(await interventions.outbox("intervention.action_overdue")) == 1

        await eventually(announced, what="the job to announce the overdue action")


def test_the_interval_is_read_from_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMO_STANDARDS_ACTION_OVERDUE_CHECK_SECONDS", "1")
    assert StandardsSettings(data_dir=tmp_path).action_overdue_check_seconds == 1.0
    assert StandardsSettings.model_fields["action_overdue_check_seconds"].default == 60.0
