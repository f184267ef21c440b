"""Checks of the services' HTTP answers that every suite makes the same way."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM_JSON = "application/problem+json"


def created(answer: httpx.Response) -> dict[str, Any]:
    """The body of a 201; fails with the answer otherwise."""
    assert answer.status_code == 201, f"{answer.status_code} {answer.text}"
    body: dict[str, Any] = answer.json()
    return body


def assert_problem(answer: httpx.Response, status: int) -> None:
    """The answer is `status` with a problem body (RFC 9457, application/problem+json)."""
    assert answer.status_code == status, (answer.status_code, answer.text[:500])
    assert answer.headers["content-type"].startswith(PROBLEM_JSON), answer.headers
