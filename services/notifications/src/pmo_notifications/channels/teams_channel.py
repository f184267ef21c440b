"""Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
received"): a message carrying one Adaptive Card 1.5.

The card: the headline as a heading, the condition as a coloured TextBlock that says it in words
too (Good, Warning, Attention), the facts as a FactSet, the reasons as a markdown bullet list,
and an Action.OpenUrl back to the PMO tool. Teams renders markdown in TextBlocks and facts, so
every text taken from the event (a project's name, a reason) has its markdown escaped: a project
named `[Sign in](https://phish.example)` shows as those characters, not as a link.
pmo_stack.testkit.chat_schemas holds the Adaptive Card schema the
tests validate against and the envelope Teams documents.
"""

from __future__ import annotations

import re

from pmo_notifications.channels.chat_channel import LINK_ID, ChatChannel, Json
from pmo_notifications.channels.chat_summary import ChatSummary
from pmo_notifications.channels.chat_text import bullets_within, clip, more_line

# The name subscriptions and deliveries carry.
TEAMS = "teams"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# Adaptive Cards' colour names for the condition's tones.
COLOURS = {"good": "Good", "warning": "Warning", "attention": "Attention"}
# Teams refuses messages over about 28 KB: the headline and the list stay well within it.
HEADLINE_CHARS = 300
LIST_CHARS = 3000


class TeamsChannel(ChatChannel):
    """POSTs an Adaptive Card to a Teams Workflows webhook (which answers 202 Accepted)."""

    @classmethod
    def render(cls, summary: ChatSummary) -> dict[str, Json]:
        """The Workflows message carrying the card of `summary`."""
        return {
            "type": "message",
            "attachments": [
                {"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card(summary)}
            ],
        }


def card(summary: ChatSummary) -> dict[str, Json]:
    """The Adaptive Card of `summary`."""
    body: list[Json] = [
        _text_block(
            plain(clip(summary.headline, HEADLINE_CHARS)),
            size="Large",
            weight="Bolder",
            style="heading",
        )
    ]
    condition = summary.condition
    if condition is not None:
        tone = {"color": COLOURS[condition.tone]} if condition.tone else {}
        body.append(_text_block(plain(summary.condition_text), weight="Bolder", **tone))
    if summary.facts:
        facts = [{"title": plain(title), "value": plain(value)} for title, value in summary.facts]
        body.append({"type": "FactSet", "facts": facts})
    if summary.bullets.items or summary.bullets.more:
        # Markdown lists in a TextBlock are lines starting "- " separated by \r (Teams' docs).
        shown = bullets_within(
            summary.bullets, bullet="- ", limit=LIST_CHARS, more=summary.more, separator="\r"
        )
        body.append(_text_block(plain(summary.bullets_heading), weight="Bolder", separator=True))
        if shown.items:
            # Our own "- " makes the list; what follows it is the event's text, escaped.
            items = [item[:2] + plain(item[2:]) for item in shown.items]
            body.append(_text_block("\r".join(items)))
        tail = more_line(shown, summary.more)
        if tail:
            body.append(_text_block(plain(tail), isSubtle=True, spacing="None"))
    content: dict[str, Json] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": summary.fallback_text,
        "body": body,
    }
    if summary.link is not None:
        content["actions"] = [
            {
                "type": "Action.OpenUrl",
                "id": LINK_ID,
                "title": summary.link.title,
                "url": summary.link.path,
            }
        ]
    return content


# CommonMark's backslash escapes for the markdown Teams acts on: links ([text](url)), emphasis and
# code, and escapes themselves; a line starting like a list item is escaped too. Kept to these,
# so ordinary punctuation (a CPI "(0.85)") reads as written.
_MARKDOWN = re.compile(r"([\\`*_\[\]])")
_BULLET_START = re.compile(r"^(\s*)([-+])(\s)", re.MULTILINE)
_NUMBER_START = re.compile(r"^(\s*)(\d+)\.(\s)", re.MULTILINE)


def plain(text: str) -> str:
    """`text` with its markdown escaped, so Teams shows it as written."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    escaped = _BULLET_START.sub(r"\1\\\2\3", escaped)
    return _NUMBER_START.sub(r"\1\2\\.\3", escaped)


def _text_block(text: str, **options: Json) -> dict[str, Json]:
    return {"type": "TextBlock", "text": text, "wrap": True, **options}
