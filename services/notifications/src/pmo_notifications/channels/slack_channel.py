"""Slack incoming webhooks: a Block Kit message, colour-coded by the project's condition.

Blocks have no colour of their own, so the message is a header block and one legacy secondary
attachment carrying the colour bar and the blocks (as Slack documents for coloured content):
a section of fields (the condition first, in words), a section with the reasons as bullets, and
an actions block with a link button back to the PMO tool. `text` is the fallback notifications
and screen readers use. Every text is cut to Slack's documented limits; dynamic mrkdwn is escaped.
References: tests/schemas/slack-block-kit-subset.json cites the pages.
"""

from __future__ import annotations

import re

from pmo_notifications.channels.chat_channel import LINK_ID, ChatChannel, Json
from pmo_notifications.channels.chat_summary import ChatSummary
from pmo_notifications.channels.chat_text import Capped, bullets_within, clip, more_line

# The name subscriptions and deliveries carry.
SLACK = "slack"
# The documented limits (characters; blocks per message; fields per section).
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
MAX_FIELDS = 10
BUTTON_TEXT_CHARS = 75
FALLBACK_CHARS = 3000
# Slack's own colours for good, warning and danger; grey when the event has no condition.
COLOURS = {"good": "#2eb886", "warning": "#daa038", "attention": "#a30200", None: "#8d8d8d"}

# What is left of an entity cut in two (every literal & was escaped, so no other & ends a text).
_PARTIAL_ENTITY = re.compile(r"&[a-z]*$")


class SlackChannel(ChatChannel):
    """POSTs a Block Kit message to a Slack incoming webhook (which answers 200 `ok`)."""

    @classmethod
    def render(cls, summary: ChatSummary) -> dict[str, Json]:
        """The Block Kit message of `summary`."""
        message: dict[str, Json] = {
            "text": clip_mrkdwn(escape(summary.fallback_text), FALLBACK_CHARS),
            "blocks": [{"type": "header", "text": _plain(clip(summary.headline, HEADER_CHARS))}],
        }
        blocks = [
            block
            for block in (_fields_block(summary), _bullets_block(summary), _link_block(summary))
            if block is not None
        ]
        if blocks:
            tone = summary.condition.tone if summary.condition else None
            message["attachments"] = [
                {
                    "color": COLOURS[tone],
                    "fallback": clip(summary.fallback_text, FALLBACK_CHARS),
                    "blocks": blocks,
                }
            ]
        return message


def _fields_block(summary: ChatSummary) -> Json | None:
    """The condition in words first, then the facts, two columns of `*label*` over value."""
    condition = [(summary.condition.label, summary.condition.value)] if summary.condition else []
    fields = [*condition, *summary.facts][:MAX_FIELDS]
    if not fields:
        return None
    texts = [
        clip_mrkdwn(f"*{escape(label)}*\n{escape(value)}", FIELD_CHARS) for label, value in fields
    ]
    return {"type": "section", "fields": [_mrkdwn(text) for text in texts]}


def _bullets_block(summary: ChatSummary) -> Json | None:
    """The heading in bold over one `•` line per reason (or alert), and `and N more`."""
    if not summary.bullets.items and not summary.bullets.more:
        return None
    heading = f"*{escape(summary.bullets_heading)}*"
    shown = bullets_within(
        Capped(tuple(map(escape, summary.bullets.items)), summary.bullets.more),
        bullet="• ",
        limit=SECTION_CHARS - len(heading) - 1,
        more=summary.more,
        fit=clip_mrkdwn,
    )
    lines = [heading, *shown.items, *filter(None, [more_line(shown, summary.more)])]
    return {"type": "section", "text": _mrkdwn("\n".join(lines))}


def _link_block(summary: ChatSummary) -> Json | None:
    """A link button back to the PMO tool (its URL relative until sent)."""
    if summary.link is None:
        return None
    button = {
        "type": "button",
        "action_id": LINK_ID,
        "text": _plain(clip(summary.link.title, BUTTON_TEXT_CHARS)),
        "url": summary.link.path,
    }
    return {"type": "actions", "block_id": LINK_ID, "elements": [button]}


def escape(text: str) -> str:
    """Text shown as mrkdwn as written: Slack reads &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip_mrkdwn(text: str, limit: int) -> str:
    """`clip` for escaped text, never cutting an entity (`&amp;`) in two."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", clip(text, limit).removesuffix("…")) + "…"


def _mrkdwn(text: str) -> dict[str, Json]:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str) -> dict[str, Json]:
    return {"type": "plain_text", "text": text, "emoji": True}
