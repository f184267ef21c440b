"""What every e-mail is made of, in its reader's language: a greeting, the lines, the reasons as
monitoring worded them, the key figures as the language writes them, what to do next, and the
service's signature. The e-mails themselves: domain/health_emails.py, domain/alert_emails.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.domain.wording import N_, Wording, glossary_line, labelled, reason_text

SUBJECT_PREFIX = "[PMO]"
# The metrics a project manager acts on, in reading order, with their plain names.
_KEY_METRICS: tuple[tuple[str, str], ...] = (
    ("cpi", N_("Cost performance index (CPI)")),
    ("spi", N_("Schedule performance index (SPI)")),
    ("spi_t", N_("Earned-schedule performance index (SPI(t))")),
    ("bac", N_("Budget at completion (BAC)")),
    ("eac", N_("Estimate at completion (EAC)")),
    ("vac", N_("Variance at completion (VAC)")),
    ("forecast_end_date", N_("Forecast end date")),
)
_RATIOS = frozenset({"cpi", "spi", "spi_t", "tcpi"})
_MONEY = frozenset({"pv", "ev", "ac", "bac", "eac", "etc", "vac"})
_DATES = frozenset({"forecast_end_date"})


@dataclass(frozen=True, slots=True)
class ComposedEmail:
    """Subject and plain-text body of one e-mail, and an HTML alternative where it has one (the
    digests: sent as multipart/alternative, the text first)."""

    subject: str
    body: str
    html: str | None = None


# An e-mail that can be written in any reader's language (composed once per language needed).
EmailDraft = Callable[[Wording], ComposedEmail]


def worded_email(
    wording: Wording, subject: str, lines: Sequence[str], *, footer: str = ""
) -> ComposedEmail:
    """Every e-mail greets the reader, says its lines, and ends with the service's signature."""
    signature = wording._(
        "Sent by the PMO notifications service. Reply to your PMO contact if something in this "
        "message looks wrong."
    )
    body = "\n".join([wording._("Hello,"), "", *lines]) + "\n" + footer + "\n--\n" + signature
    return ComposedEmail(f"{SUBJECT_PREFIX} {subject}", body)


def next_steps(wording: Wording, *steps: str) -> list[str]:
    """The numbered steps the reader takes next."""
    numbered = (f"  {number}. {step}" for number, step in enumerate(steps, 1))
    return [wording._("What to do next:"), *numbered]


def reason_section(wording: Wording, reasons: Sequence[ReasonLine], heading: str) -> list[str]:
    """The reasons under `heading`, each as monitoring worded it in the reader's language, with
    its figure and threshold."""
    if not reasons:
        return []
    lines = [heading]
    for reason in reasons:
        figure = ""
        if reason.value is not None and reason.threshold is not None:
            said = wording._("{metric} {value}, threshold {threshold}").format(
                metric=reason.metric or wording._("value"),
                value=plain_value(wording, reason.value),
                threshold=plain_value(wording, reason.threshold),
            )
            figure = f" ({said})"
        lines.append(f"  - {reason_text(wording, reason)}{figure}")
    return [*lines, ""]


def glossary_section(wording: Wording) -> list[str]:
    """Where the terms are explained, as a paragraph (nothing when there is no such place)."""
    line = glossary_line(wording)
    return [*line, ""] if line else []


def metric_section(
    wording: Wording, metrics: Mapping[str, object], currency: str | None = None
) -> list[str]:
    """The key figures that are known, money in `currency` where the project's is known."""
    lines = [
        "  "
        + labelled(wording, wording._(label), metric_value(wording, key, metrics[key], currency))
        for key, label in _KEY_METRICS
        if metrics.get(key) is not None
    ]
    return [wording._("Key figures:"), *lines, ""] if lines else []


def metric_value(wording: Wording, key: str, value: object, currency: str | None = None) -> str:
    """One figure as the reader's language writes it: an index with two decimals at most, an
    amount as money, a date in words."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if key in _RATIOS:
            return wording.index(value)
        if key in _MONEY:
            return wording.money(value, currency)
    if key in _DATES and isinstance(value, str):
        try:
            return wording.day(date.fromisoformat(value))
        except ValueError:
            return value
    return plain_value(wording, value)


def plain_value(wording: Wording, value: object) -> str:
    """A value of an event's field, as the reader's language writes numbers and dates."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return wording.number(value)
    if isinstance(value, date):
        return wording.day(value)
    return str(value)
