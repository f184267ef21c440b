"""Property-based API tests: schemathesis against each running service's /openapi.json.

Each service is fuzzed as a PMO admin and as a project manager, with a fixed seed and a bounded
budget (MAX_EXAMPLES generated cases per operation, half of them aimed at the seeded rows, and
a request timeout), then walked statefully along the links schemathesis infers (create, read,
patch). A check failure does not stop the run: it is recorded with a curl to reproduce it, so
one run reports every operation, and the test fails at the end if anything was recorded.
"""

from __future__ import annotations

import time
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.api_fuzz

SEED = 20240611
MAX_EXAMPLES = 25
STATEFUL_SCENARIOS = 15
STATEFUL_STEPS = 4
REQUEST_TIMEOUT = 10.0  # seconds: the deadline of every request
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SERVICES = ("intake", "monitoring", "standards", "notifications")
ROLES = ("pmo_admin", "project_manager")
TOKEN_PLACEHOLDER = {"pmo_admin": "$ADMIN_TOKEN", "project_manager": "$MANAGER_TOKEN"}


def _settings(max_examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples,
        deadline=None,  # the request timeout bounds each call; wall-clock varies on CI
        database=None,  # no replay of earlier runs: the seed alone decides the cases
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],  # failures are recorded, not shrunk
        suppress_health_check=list(HealthCheck),
        stateful_step_count=STATEFUL_STEPS,
    )


def _load(base_url: str) -> Any:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", timeout=REQUEST_TIMEOUT)
    schema.config.phases.stateful.enabled = True
    # Reports show the curl with a token placeholder; the real token is never part of a case.
    schema.config.output.sanitization.enabled = False
    return schema


def _record(line: Any, role: str, case: Any, error: FailureGroup | Failure) -> None:
    failures = error.exceptions if isinstance(error, FailureGroup) else (error,)
    curl = case.as_curl_command(headers={"Authorization": f"Bearer {TOKEN_PLACEHOLDER[role]}"})
    for failure in failures:
        check = failure.checks[0] if failure.checks else type(failure).__name__
        status = getattr(failure, "status_code", None)
        title = f"{check}: {failure.title}" + (f" ({status})" if status else "")
        operation = failure.operation or f"{case.method.upper()} {case.path}"
        line.failures.setdefault((operation, title), []).append(curl)


def _strategy(operation: Any, path_values: dict[str, list[str]]) -> Any:
    """Free generation, or (half the time) the same with path parameters naming seeded rows."""
    names = [p.name for p in operation.path_parameters]
    free = operation.as_strategy()
    if not names or not all(path_values.get(name) for name in names):
        return free
    seeded = st.fixed_dictionaries(
        {name: st.sampled_from(path_values[name]) for name in names}
    ).flatmap(lambda values: operation.as_strategy(path_parameters=values))
    return st.one_of(free, seeded)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", SERVICES)
def test_service_conforms_to_its_openapi(
    service: str,
    role: str,
    seeded: Any,
    role_headers: dict[str, dict[str, str]],
    fuzz_report: Any,
) -> None:
    started = time.monotonic()
    line = fuzz_report.line(service, role)
    headers = role_headers[role]
    schema = _load(seeded.urls[service])
    http = requests.Session()

    def exercise(case: Any) -> None:
        line.cases += 1
        try:
            case.call_and_validate(
                session=http, headers=headers, checks=CHECKS, timeout=REQUEST_TIMEOUT
            )
        except (Failure, FailureGroup) as error:
            _record(line, role, case, error)
        except requests.RequestException as error:
            operation = f"{case.method.upper()} {case.path}"
            line.failures.setdefault((operation, f"transport: {type(error).__name__}"), []).append(
                case.as_curl_command(headers={"Authorization": f"Bearer {TOKEN_PLACEHOLDER[role]}"})
            )

    for result in schema.get_all_operations():
        operation = result.ok()
        line.operations += 1
        run = hypothesis.seed(SEED)(
            _settings(MAX_EXAMPLES)(given(case=_strategy(operation, seeded.path_values))(exercise))
        )
        run()

    line.stateful_steps += _walk_links(schema, role, headers, line, http)
    line.seconds = time.monotonic() - started
    assert not line.failures, _describe(service, role, line)


def _walk_links(
    schema: Any, role: str, headers: dict[str, str], line: Any, http: requests.Session
) -> int:
    """Stateful scenarios along the inferred links (create -> read -> patch); steps taken."""
    steps = 0
    machine = schema.as_state_machine()
    if not getattr(machine, "bundles", None):
        return 0

    class Walk(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers, "session": http, "timeout": REQUEST_TIMEOUT}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            nonlocal steps
            steps += 1
            try:
                case.validate_response(
                    response,
                    checks=CHECKS,
                    headers=headers,
                    transport_kwargs=kwargs or None,
                    recorder=getattr(self, "recorder", None),
                )
            except (Failure, FailureGroup) as error:
                _record(line, role, case, error)

    # A state machine takes no @seed: derandomize fixes its cases the same way run after run.
    Walk.run(settings=hypothesis.settings(_settings(STATEFUL_SCENARIOS), derandomize=True))
    return steps


def _describe(service: str, role: str, line: Any) -> str:
    parts = [f"{service} as {role}: {len(line.failures)} distinct failure(s) (curls below)"]
    for (operation, check), curls in sorted(line.failures.items()):
        parts.append(f"  {operation} -- {check} ({len(curls)} case(s))")
    return "\n".join(parts)
