"""Validators of Slack and Teams messages against the vendors' documented schemas (README.md
in this folder says where each schema comes from)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_FOLDER = Path(__file__).parent


def _validator(name: str) -> Any:
    schema = json.loads((SCHEMA_FOLDER / name).read_text(encoding="utf-8"))
    kind = jsonschema.validators.validator_for(schema)
    kind.check_schema(schema)  # the schema itself is valid under its own draft
    return kind(schema, format_checker=kind.FORMAT_CHECKER)


@dataclass(frozen=True)
class ChatSchemas:
    """Validators of Slack and Teams messages."""

    slack: Any
    teams_envelope: Any
    adaptive_card: Any

    @classmethod
    def load(cls) -> ChatSchemas:
        """The three validators, each schema checked against its own draft first."""
        return cls(
            slack=_validator("slack-block-kit-subset.json"),
            teams_envelope=_validator("teams-workflow-message.json"),
            adaptive_card=_validator("adaptive-card-1.5.json"),
        )

    def check_slack(self, message: dict[str, Any]) -> None:
        """Raise jsonschema.ValidationError unless `message` is a valid Block Kit message."""
        self.slack.validate(message)

    def check_teams(self, message: dict[str, Any]) -> None:
        """Raise jsonschema.ValidationError unless `message` is a Workflows message carrying a
        valid Adaptive Card 1.5."""
        self.teams_envelope.validate(message)
        self.adaptive_card.validate(message["attachments"][0]["content"])
