"""API3/API6 mass assignment, API4 resource limits and strict inputs (the issue's repros).

Each refusal is followed by a read showing the data written before it is intact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pmo_stack.testkit import assert_problem, created, wait_until
from pmo_stack.testkit.project_data import project_body

pytestmark = pytest.mark.security

TODAY = datetime.now(UTC).date()
SERVICES = ("intake", "monitoring", "standards", "notifications")
HUGE_OFFSET = "9223372036854775808"  # 2**63: one past the largest 64-bit integer
MANAGER = "ada.manager@example.com"
SCHEDULE: dict[str, Any] = {"started_days_ago": 30, "ends_in_days": 90, "budget": 100000}


def paginated_lists(world: Any, http: httpx.Client, service: str) -> list[str]:
    """Every GET of the service whose query has `limit` and `offset`, path ids filled in."""
    spec = http.get(world.url(service, "/openapi.json")).json()
    found = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        names = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
        if {"limit", "offset"} <= names:
            if "{report_id}" in path:  # a report's revisions
                found.append(report_revisions_path(world, http))
            elif "{portfolio_id}" in path:  # a portfolio's members
                found.append(path.replace("{portfolio_id}", portfolio_id(world, http)))
            else:
                found.append(path.replace("{project_id}", world.my_project["id"]))
    assert found, f"{service} has no paginated list"
    return found


def portfolio_id(world: Any, http: httpx.Client) -> str:
    """A portfolio created once per session for the lists under a portfolio."""
    if not _PORTFOLIOS:
        body = {"name": "Paged portfolio", "owner": "pam@example.com"}
        answer = http.post(world.url("intake", "/v1/portfolios"), headers=world.admin, json=body)
        _PORTFOLIOS.append(created(answer)["id"])
    return _PORTFOLIOS[0]


def report_revisions_path(world: Any, http: httpx.Client) -> str:
    """The revisions list of a report filed once per session on a project of its own, so no
    other test's reports are judged against it."""
    if not _REVISIONS:
        project = registered(world, http, "Revisions")
        url = world.url("monitoring", f"/v1/projects/{project['id']}/status-reports")
        body = {
            "as_of": datetime.now(UTC).date().isoformat(),
            "percent_complete": 20,
            "actual_cost": 15000,
        }
        answers: list[httpx.Response] = []

        def filed() -> bool:
            answers.append(http.post(url, headers=world.manager, json=body))
            return answers[-1].status_code != 404  # 404 until monitoring knows the project

        wait_until(filed, what="monitoring to hear of the project")
        report = created(answers[-1])
        path = f"/v1/projects/{project['id']}/status-reports/{report['id']}/revisions"
        _REVISIONS.append(path)
    return _REVISIONS[0]


# The revisions path report_revisions_path made, for the rest of the session.
_REVISIONS: list[str] = []
_PORTFOLIOS: list[str] = []


def registered(world: Any, http: httpx.Client, name: str) -> dict[str, Any]:
    """A fresh project of the manager's, registered by the admin (good data to protect)."""
    body = project_body(name, MANAGER, **SCHEDULE)
    return created(http.post(world.url("intake", "/v1/projects"), headers=world.admin, json=body))


def unchanged(world: Any, http: httpx.Client, project: dict[str, Any]) -> None:
    after = http.get(world.url("intake", f"/v1/projects/{project['id']}"), headers=world.admin)
    assert after.status_code == 200
    assert after.json() == project


def assert_refused(answer: httpx.Response, status: int = 422) -> None:
    assert_problem(answer, status)


def refused_on_create_and_patch(
    world: Any, http: httpx.Client, changes: dict[str, Any], patch: dict[str, Any] | None
) -> None:
    """A registration carrying `changes` is refused, and so is `patch` (unless None) on a fresh
    project of the manager's, which reads back unchanged."""
    body = {**project_body("Refused", MANAGER, **SCHEDULE), **changes}
    assert_refused(http.post(world.url("intake", "/v1/projects"), headers=world.admin, json=body))
    project = registered(world, http, "Kept as it was")
    if patch is not None:
        url = world.url("intake", f"/v1/projects/{project['id']}")
        assert_refused(http.patch(url, headers=world.admin, json=patch))
    unchanged(world, http, project)


# --- Mass assignment ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"id": "00000000-0000-0000-0000-000000000000"},
        {"status": "closed"},
        {"version": 99},
        {"created_at": "2000-01-01T00:00:00Z"},
    ],
    ids=["id", "status", "version", "created_at"],
)
def test_mass_assignment_on_project_create_and_patch_is_refused(
    world: Any, http: httpx.Client, extra: dict[str, Any]
) -> None:
    refused_on_create_and_patch(world, http, extra, {"name": "Renamed", **extra})


@pytest.mark.parametrize(
    ("service", "path", "body"),
    [
        ("intake", "/v1/requests", {"title": "T", "status": "approved"}),
        ("intake", "/v1/portfolios", {"name": "P", "owner": "o@example.com", "id": "x"}),
        (
            "monitoring",
            "/v1/projects/{mine}/status-reports",
            {"as_of": TODAY.isoformat(), "percent_complete": 10, "actual_cost": 1, "revision": 7},
        ),
        ("standards", "/v1/practices", {"title": "T", "body": "B", "id": "x"}),
        (
            "notifications",
            "/v1/subscriptions",
            {
                "channel": "email",
                "target": "ada.manager@example.com",
                "event_types": ["project.at_risk"],
                "owner": "someone-else",
            },
        ),
    ],
)
def test_mass_assignment_elsewhere_is_refused(
    world: Any, http: httpx.Client, service: str, path: str, body: dict[str, Any]
) -> None:
    url = world.url(service, path.format(mine=world.my_project["id"]))
    assert_refused(http.post(url, headers=world.admin, json=body))


# --- Page caps and offsets ---------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_page_size_over_the_cap_is_refused_on_every_list(
    world: Any, http: httpx.Client, service: str
) -> None:
    for path in paginated_lists(world, http, service):
        fine = http.get(world.url(service, path), headers=world.admin, params={"limit": 200})
        assert fine.status_code == 200, (path, fine.text[:300])
        for limit in ("201", "100000", "0", "-1"):
            answer = http.get(
                world.url(service, path), headers=world.admin, params={"limit": limit}
            )
            assert answer.status_code == 422, (path, limit, answer.status_code)


@pytest.mark.parametrize("service", SERVICES)
def test_an_offset_past_64_bits_is_refused_on_every_list(
    world: Any, http: httpx.Client, service: str
) -> None:
    for path in paginated_lists(world, http, service):
        for offset in (HUGE_OFFSET, "9223372036854775807", "-1"):
            answer = http.get(
                world.url(service, path), headers=world.admin, params={"offset": offset}
            )
            assert_refused(answer)


# --- PATCH null rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        "name",
        "manager",
        "budget",
        "start_date",
        "end_date",
        "currency",
        "methodology",
        "milestones",
    ],
)
def test_patch_project_with_explicit_null_is_refused(
    world: Any, http: httpx.Client, field: str
) -> None:
    project = registered(world, http, f"Null {field}")
    answer = http.patch(
        world.url("intake", f"/v1/projects/{project['id']}"),
        headers=world.admin,
        json={field: None},
    )
    assert_refused(answer)
    unchanged(world, http, project)


@pytest.mark.parametrize("field", ["title", "project"])
def test_patch_request_with_explicit_null_is_refused(
    world: Any, http: httpx.Client, field: str
) -> None:
    request = world.draft_request
    url = world.url("intake", f"/v1/requests/{request['id']}")
    answer = http.patch(url, headers=world.manager, json={field: None})
    assert_refused(answer)
    after = http.get(url, headers=world.admin).json()
    assert after["title"] == request["title"]
    assert after["project"] == request["project"]


# --- Dates, numbers, text, links ---------------------------------------------------------------


def test_a_project_dated_in_year_9999_is_refused(world: Any, http: httpx.Client) -> None:
    far = {"start_date": "9999-12-20", "end_date": "9999-12-31"}
    refused_on_create_and_patch(world, http, far, far)


@pytest.mark.parametrize("budget", [True, "100", None, "NaN", [100]], ids=repr)
def test_a_budget_that_is_not_a_number_is_refused(
    world: Any, http: httpx.Client, budget: Any
) -> None:
    # null in a PATCH is the null rule's case, tested above
    patch = None if budget is None else {"budget": budget}
    refused_on_create_and_patch(world, http, {"budget": budget}, patch)


@pytest.mark.parametrize("value", [True, "30"], ids=repr)
def test_report_figures_that_are_not_numbers_are_refused(
    world: Any, http: httpx.Client, value: Any
) -> None:
    url = world.url("monitoring", f"/v1/projects/{world.my_project['id']}/status-reports")
    before = http.get(url, headers=world.admin).json()
    body = {"as_of": TODAY.isoformat(), "percent_complete": value, "actual_cost": 10}
    assert_refused(http.post(url, headers=world.manager, json=body))
    assert http.get(url, headers=world.admin).json() == before


@pytest.mark.parametrize(
    "name",
    [
        "Apollo\u202egnp.exe",
        "Apollo\u2066x\u2069",
        "Bell\u0007",
        "Null\u0000byte",
        "Line\nbreak",
        "Esc\u001b[31mred",
    ],
    ids=["rlo", "isolate", "bel", "nul", "newline", "ansi"],
)
def test_project_names_with_control_or_bidi_characters_are_refused(
    world: Any, http: httpx.Client, name: str
) -> None:
    refused_on_create_and_patch(world, http, {"name": name}, {"name": name})


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "//evil.example.com/x",
    ],
)
def test_deliverable_links_other_than_http_are_refused(
    world: Any, http: httpx.Client, link: str
) -> None:
    mine = world.my_project["id"]
    compliance = world.url("standards", f"/v1/projects/{mine}/compliance")
    before = http.get(compliance, headers=world.admin).json()
    answer = http.post(
        world.url("standards", f"/v1/projects/{mine}/deliverables"),
        headers=world.manager,
        json={"name": world.deliverable, "gate": world.gate, "url": link},
    )
    assert_refused(answer)
    after = http.get(compliance, headers=world.admin).json()
    assert {k: v for k, v in after.items() if k != "evaluated_at"} == {
        k: v for k, v in before.items() if k != "evaluated_at"
    }


# --- Body size ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("intake", "/v1/projects"),
        ("monitoring", "/v1/projects/{mine}/status-reports"),
        ("standards", "/v1/practices"),
        ("notifications", "/v1/subscriptions"),
    ],
)
def test_a_20_mib_body_answers_413_before_it_is_parsed(
    world: Any, http: httpx.Client, service: str, path: str
) -> None:
    url = world.url(service, path.format(mine=world.my_project["id"]))
    # Not JSON at all: a service that parsed it first would answer 422, not 413.
    junk = b"x" * (20 * 1024 * 1024)
    answer = http.post(
        url, headers={**world.admin, "Content-Type": "application/json"}, content=junk
    )
    assert_refused(answer, 413)


def test_a_20_mib_chunked_body_without_length_answers_413(world: Any, http: httpx.Client) -> None:
    def chunks() -> Any:
        for _ in range(20):
            yield b"x" * (1024 * 1024)

    answer = http.post(
        world.url("intake", "/v1/projects"),
        headers={**world.admin, "Content-Type": "application/json"},
        content=chunks(),
    )
    assert_refused(answer, 413)


def test_a_body_under_the_limit_is_still_accepted(world: Any, http: httpx.Client) -> None:
    # The control: a 19 KB JSON body is parsed and accepted; size alone refuses nothing.
    body = {"title": "Large but fine", "body": "x" * 19_000, "tags": ["a"]}
    answer = http.post(world.url("standards", "/v1/practices"), headers=world.admin, json=body)
    assert answer.status_code == 201, answer.text[:300]
