"""Route of the digests' preview: a reader's daily or weekly digest as it would go out now."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Query
from pmo_common.auth.dependencies import forbid
from pmo_common.web.app_factory import SessionDep
from pmo_common.web.inputs import StrictInput, documented_examples
from pmo_common.web.schemas import OutputModel
from pydantic import AfterValidator, Field

from pmo_notifications.api.access import AnyRolePrincipal
from pmo_notifications.api.dependencies import SettingsDep
from pmo_notifications.api.schemas import Locale
from pmo_notifications.domain.clock import utc_now
from pmo_notifications.domain.digest_content import DailyDigest, WeeklyDigest
from pmo_notifications.domain.digest_email import compose_digest_email
from pmo_notifications.domain.digest_periods import DigestPeriod, DigestWanted
from pmo_notifications.handlers.digest_job import digest_schedule
from pmo_notifications.handlers.digest_queries import build_digest
from pmo_notifications.handlers.wordings import MessageLanguages

router = APIRouter(prefix="/v1", tags=["digests"])


def _address(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"must be an e-mail address ({exc})") from exc


EmailAddress = Annotated[str, Field(min_length=3, max_length=320), AfterValidator(_address)]


class DigestPreviewQuery(StrictInput):
    """Whose digest, of which period, in which language."""

    model_config = documented_examples(
        {"recipient": "ada@example.com", "period": "daily"},
        {"recipient": "pam@example.com", "period": "weekly", "locale": "fr"},
    )

    recipient: EmailAddress = Field(description="The reader's e-mail address")
    period: DigestPeriod = Field(description="`daily` (project managers) or `weekly` (portfolios)")
    locale: Locale | None = Field(
        default=None,
        description="The language to show it in; by default PMO_DEFAULT_LOCALE, the one digests "
        "go out in (the browser's Accept-Language is not used: the preview shows what is sent)",
    )


class DigestPreview(OutputModel):
    """A digest as it would go out now: the e-mail and what it lists."""

    recipient: str
    period: DigestPeriod
    locale: Locale = Field(description="The language it is written in")
    period_key: str = Field(description="The local date (daily) or ISO week (weekly) it covers")
    would_send: bool = Field(
        description="Whether it has anything to report: a digest without news is not sent"
    )
    subject: str
    text: str = Field(description="The plain-text part of the e-mail")
    html: str = Field(description="The HTML part of the e-mail")
    content: DailyDigest | WeeklyDigest = Field(
        description="What the digest lists (`projects`: exactly the reader's projects)"
    )


@router.get(
    "/digests/preview",
    summary="Preview a reader's daily or weekly digest (PMO admins: anyone's; others: their own)",
)
async def preview_digest_route(
    query: Annotated[DigestPreviewQuery, Query()],
    principal: AnyRolePrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> DigestPreview:
    """The digest `recipient` would receive for the current `period`, with its changes since
    their previous digest of that period; nothing is sent or recorded."""
    if not principal.has_any_role("pmo_admin") and not principal.manages(query.recipient):
        raise forbid("You can preview only your own digest (PMO admins may preview anyone's).")
    schedule = digest_schedule(settings)
    now = utc_now()
    wanted = DigestWanted(query.recipient, query.period, schedule.period_key(query.period, now))
    digest = await build_digest(session, wanted, now=now, schedule=schedule)
    wording = MessageLanguages.from_settings(settings).wording(query.locale)
    email = compose_digest_email(wording, digest)
    return DigestPreview(
        recipient=digest.recipient,
        period=query.period,
        locale=wording.locale,
        period_key=digest.period_key,
        would_send=digest.has_news,
        subject=email.subject,
        text=email.body,
        html=email.html or "",
        content=digest,
    )
