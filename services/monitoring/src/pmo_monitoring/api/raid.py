"""Routes of the RAID register: a project's risks, assumptions, issues, decisions, dependencies.

Who may read a project's health reads its register; who may report on it writes it. Items
carry an ETag (a digest of the representation answered); a PATCH with If-Match proceeds only
while the item still has it (412 otherwise), checked on the locked row so that of two
concurrent PATCHes with the same tag exactly one wins.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.conditional import IfMatch, entity_tag, require_match, tag_response
from pmo_common.web.idempotency import OnceDep
from pmo_common.web.pagination import Page, PageDep

from pmo_monitoring.api.access import ScopedCaller, ensure_can_read, ensure_can_report
from pmo_monitoring.api.raid_schemas import (
    RaidItemIn,
    RaidItemOut,
    RaidItemPatch,
    RaidKindIn,
    RaidStatusIn,
)
from pmo_monitoring.domain.raid import RaidItem
from pmo_monitoring.handlers import raid_commands, raid_queries
from pmo_monitoring.handlers.health_assessment import today_utc
from pmo_monitoring.handlers.project_queries import load_project

router = APIRouter(prefix="/v1/projects/{project_id}/raid", tags=["RAID register"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RaidItemOut)
async def add_raid_item(
    project_id: str,
    body: RaidItemIn,
    principal: ScopedCaller,
    session: SessionDep,
    once: OnceDep,
) -> JSONResponse:
    """Add a risk, assumption, issue, decision or dependency to the project's register.

    Each kind has its own fields; a field of another kind is refused (422 naming it). A
    dependency names another project monitoring knows (`depends_on_project_id`, not the
    project itself) and the date it is `needed_by`.
    """

    async def add() -> RaidItemOut:
        context = await load_project(session, project_id=project_id)
        ensure_can_report(principal, context.project)
        item = await raid_commands.add_item(
            session,
            context=context,
            values=body.model_dump(exclude_unset=True) | {"kind": body.kind, "title": body.title},
            created_by=principal.email or principal.subject,
            today=today_utc(),
        )
        return RaidItemOut.model_validate(item)

    answer = await once.run(
        body, add, location=lambda item: f"/v1/projects/{project_id}/raid/{item.id}"
    )
    if answer.status_code == status.HTTP_201_CREATED:
        answer.headers["ETag"] = entity_tag(json.loads(bytes(answer.body)))
    return answer


@router.get("", response_model=Page[RaidItemOut])
async def list_raid_items(
    project_id: str,
    principal: ScopedCaller,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[RaidKindIn | None, Query(description="Only items of this kind")] = None,
    status_: Annotated[
        RaidStatusIn | None, Query(alias="status", description="Only items in this status")
    ] = None,
) -> Page[RaidItemOut]:
    """The project's register, oldest item first, filtered by kind and status."""
    context = await load_project(session, project_id=project_id)
    ensure_can_read(principal, context.project)
    items = await raid_queries.list_items(
        session, project_id=project_id, kind=kind, status=status_, page=page
    )
    return RaidItemOut.page_of(items, page)


@router.get("/{item_id}", response_model=RaidItemOut)
async def read_raid_item(
    project_id: str,
    item_id: str,
    principal: ScopedCaller,
    session: SessionDep,
    response: Response,
) -> RaidItemOut:
    """One item of the register, with its ETag."""
    context = await load_project(session, project_id=project_id)
    ensure_can_read(principal, context.project)
    item = RaidItemOut.model_validate(
        await raid_queries.get_item(session, project_id=project_id, item_id=item_id)
    )
    tag_response(response, item)
    return item


@router.patch("/{item_id}", response_model=RaidItemOut)
async def change_raid_item(
    project_id: str,
    item_id: str,
    body: RaidItemPatch,
    principal: ScopedCaller,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> RaidItemOut:
    """Change an item's fields (its kind never changes); close it with `status: closed`.

    Send the item's ETag as If-Match to change it only if nobody did since you read it (412
    otherwise); without If-Match the change is not conditional.
    """
    context = await load_project(session, project_id=project_id)
    ensure_can_report(principal, context.project)

    def still_as_read(current: RaidItem) -> None:
        require_match(if_match, RaidItemOut.model_validate(current))

    changed = RaidItemOut.model_validate(
        await raid_commands.change_item(
            session,
            context=context,
            item_id=item_id,
            changes=body.model_dump(exclude_unset=True),
            precondition=still_as_read,
            today=today_utc(),
        )
    )
    tag_response(response, changed)
    return changed
