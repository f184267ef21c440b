"""Route of the delivery log: every attempt over every channel."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.pagination import Page, PageDep, make_page

from pmo_notifications.api.access import (
    AdminPrincipal,
    AnyRolePrincipal,
    sees_all_deliveries,
)
from pmo_notifications.api.schemas import (
    Channel,
    DeliveriesResent,
    DeliveryOut,
    DeliveryResend,
    DeliveryStatusName,
    ReferenceId,
)
from pmo_notifications.channels.email_channel import EMAIL
from pmo_notifications.domain.address_policy import url_without_secrets
from pmo_notifications.domain.bulk_resend import ResendSelection
from pmo_notifications.domain.delivery_grouping import GROUPED
from pmo_notifications.domain.delivery_schedule import DeliveryRecord
from pmo_notifications.handlers import delivery_commands
from pmo_notifications.handlers.delivery_queries import list_deliveries
from pmo_notifications.handlers.group_queries import grouped_into

router = APIRouter(prefix="/v1", tags=["deliveries"])


def shown_target(delivery: DeliveryRecord, *, in_full: bool) -> str:
    """The target as the caller may see it: an e-mail address, or a URL target's scheme and host
    only (its path may be a token) unless the caller is a PMO admin."""
    if in_full or delivery.channel == EMAIL:
        return delivery.target
    return url_without_secrets(delivery.target)


def delivery_out(
    delivery: DeliveryRecord, *, in_full: bool, group_message_id: str | None = None
) -> DeliveryOut:
    """The API view of one attempt, its target shown as the caller may see it (and, for an
    event that went out in its group's delivery, that delivery's message id)."""
    shown = replace(delivery, target=shown_target(delivery, in_full=in_full))
    return DeliveryOut.model_validate(shown).model_copy(update={"grouped_into": group_message_id})


@router.get("/deliveries", summary="List delivery attempts (others than admins: their projects')")
async def list_deliveries_route(
    principal: AnyRolePrincipal,
    session: SessionDep,
    page: PageDep,
    alert_id: ReferenceId | None = None,
    project_id: ReferenceId | None = None,
    status: DeliveryStatusName | None = None,
    channel: Channel | None = None,
) -> Page[DeliveryOut]:
    """A page of attempts, newest first, filtered by alert, project, status and channel.

    An event delivered to a subscription that groups its deliveries (ADR 0017) is `grouped`:
    `grouped_into` names the message id of its group's one delivery once the group went out.
    """
    everything = sees_all_deliveries(principal)
    records = await list_deliveries(
        session,
        viewer=None if everything else (principal.subject, principal.email),
        alert_id=alert_id,
        project_id=project_id,
        status=status,
        channel=channel,
        page=page,
    )
    groups = await grouped_into(
        session, delivery_ids=[record.id for record in records if record.status == GROUPED]
    )
    return make_page(
        [
            delivery_out(record, in_full=everything, group_message_id=groups.get(record.id))
            for record in records
        ],
        page,
    )


@router.post(
    "/deliveries/{delivery_id}/retry",
    status_code=202,
    summary="Re-send a failed delivery now (PMO admins; 409 unless it failed)",
)
async def retry_delivery_route(
    delivery_id: str, principal: AdminPrincipal, session: SessionDep
) -> DeliveryOut:
    """Queue the failed delivery's message again, due now, with the same `message_id` (the
    `webhook-id` or `Message-ID` a receiver de-duplicates on) and a fresh retry schedule.

    Answers 202 with the new pending attempt; 404 for an unknown delivery; 409 when the delivery
    is delivered, pending, retrying (a later attempt follows it), skipped, or was already re-sent.
    """
    queued = await delivery_commands.retry_delivery(session, delivery_id=delivery_id)
    return delivery_out(queued, in_full=True)


@router.post(
    "/deliveries/resend",
    status_code=202,
    summary="Re-send failed deliveries of a subscription or channel in a time range (PMO admins)",
)
async def resend_deliveries_route(
    body: DeliveryResend, principal: AdminPrincipal, session: SessionDep
) -> DeliveriesResent:
    """Queue again every delivery planned in [`created_from`, `created_to`) that was given up
    (`failed`), of `subscription_id` and/or `channel` (one is required): each message is sent
    again with the same `message_id` (the `webhook-id` or `Message-ID` receivers de-duplicate on)
    and a fresh retry schedule, in the order it was planned within its project.

    Answers 202 with how many were queued, at most 1000: call again until it answers 0. Calling
    again re-sends nothing twice (a re-sent message is no longer failed), and a delivered one is
    never re-sent. 422 naming the field when the range is empty or longer than 31 days, or when
    neither a subscription nor a channel is named.
    """
    # The body names exactly the fields of a selection.
    selection = ResendSelection(**body.model_dump())
    resent = await delivery_commands.resend_deliveries(session, selection=selection)
    return DeliveriesResent(resent=resent)
