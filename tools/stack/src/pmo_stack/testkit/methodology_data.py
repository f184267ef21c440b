"""A valid body of standards' `POST /v1/methodologies`, for the tests that create or refuse one."""

from __future__ import annotations

from typing import Any


def kanban(**overrides: Any) -> dict[str, Any]:
    """A kanban methodology: two phases, one gate with two deliverables (fields by keyword)."""
    body: dict[str, Any] = {
        "key": "kanban",
        "name": "Kanban",
        "phases": ["discovery", "flow"],
        "gates": [
            {
                "key": "flow_review",
                "name": "Flow review",
                "phase": "flow",
                "required_deliverables": ["board_policy", "service_level_expectation"],
            }
        ],
        "report_cadence_days": 7,
        "thresholds": {"spi_amber": 0.9, "spi_red": 0.8},
    }
    body.update(overrides)
    return body
