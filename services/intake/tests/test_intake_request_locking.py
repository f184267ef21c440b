"""A request's step checks the state it moves from on the row it locks in its own unit of work,
not on what the route read before: a decision taken meanwhile wins, the later one answers 409.

SQLite cannot show two transactions racing for the lock (PostgreSQL's FOR UPDATE does that);
this shows the check reads the request afresh inside the step, after the other one committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pmo_common.problems import ProblemException
from pmo_intake.api.schemas import ProjectCreate
from pmo_intake.handlers import request_commands, request_queries

if TYPE_CHECKING:
    from conftest import Intake


async def test_an_approval_after_a_rejection_meanwhile_answers_409(intake: Intake) -> None:
    request_id = await intake.new_request(submit=True)
    async with intake.sessions() as session:
        seen = await request_queries.get_request(session, request_id=request_id)
        assert seen.status == "submitted"
        rejected = await intake.client.post(
            f"/v1/requests/{request_id}/reject",
            json={"reason": "Out of scope"},
            headers=intake.auth_header(),
        )
        assert rejected.status_code == 200, rejected.text
        with pytest.raises(ProblemException) as refused:
            await request_commands.decide_request(
                session,
                request_id=seen.id,
                baseline_of=lambda request: ProjectCreate.model_validate(
                    request.proposal
                ).baseline(),
                decided_by="admin@example.com",
                comment=None,
            )
    assert refused.value.status == 409
    after = await intake.client.get(f"/v1/requests/{request_id}", headers=intake.auth_header())
    assert after.json()["status"] == "rejected"
    assert after.json()["project_id"] is None
