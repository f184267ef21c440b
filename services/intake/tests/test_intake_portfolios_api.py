"""Portfolios and programmes: who creates and lists them, validation, idempotent creation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Intake

RESOURCES = ["/v1/portfolios", "/v1/programs"]
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


def body(**overrides: Any) -> dict[str, Any]:
    """A valid body of either create route (a programme's portfolio is optional)."""
    return {"name": "Growth", "owner": "olga@example.com", **overrides}


async def create(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    response = await client.post(path, json=body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.mark.parametrize("path", RESOURCES)
async def test_editors_create_and_every_caller_lists_by_name(intake: Intake, path: str) -> None:
    zulu = await create(intake.client, path, intake.auth_header(), name="Zulu", description="Last")
    alpha = await create(
        intake.client, path, intake.auth_header("portfolio_manager", "pm@example.com")
    )
    assert zulu["name"] == "Zulu"
    assert zulu["owner"] == "olga@example.com"
    assert zulu["description"] == "Last"
    assert alpha["description"] is None
    assert {"id", "created_at"} <= alpha.keys()
    viewer = intake.auth_header("viewer", "vic@example.com")
    listed = (await intake.client.get(path, headers=viewer)).json()
    assert [item["name"] for item in listed["items"]] == ["Growth", "Zulu"]
    assert listed["items"][1] == zulu
    assert listed["next_offset"] is None
    first_page = (await intake.client.get(path, params={"limit": 1}, headers=viewer)).json()
    assert [item["id"] for item in first_page["items"]] == [alpha["id"]]
    assert first_page["next_offset"] == 1
    # A programme is not announced; a portfolio is, then its owner as its first manager (see
    # the test of intake.portfolio.created).
    announced = [topic for topic, _ in await intake.outbox_events()]
    assert announced == (list(intake.new_portfolio_events) * 2 if path == "/v1/portfolios" else [])


@pytest.mark.parametrize("path", RESOURCES)
async def test_authentication_and_roles(intake: Intake, path: str) -> None:
    assert (await intake.client.get(path)).status_code == 401
    assert (await intake.client.post(path, json=body())).status_code == 401
    bad = {"Authorization": "Bearer not-a-jwt"}
    assert (await intake.client.get(path, headers=bad)).status_code == 401
    for role in ("project_manager", "viewer"):
        refused = await intake.client.post(path, json=body(), headers=intake.auth_header(role))
        assert refused.status_code == 403, role
        assert refused.json()["title"] == "Forbidden"
    assert (await intake.client.get(path, headers=intake.auth_header())).json()["items"] == []


@pytest.mark.parametrize("path", RESOURCES)
async def test_idempotency_key_replays_the_first_answer(intake: Intake, path: str) -> None:
    headers = {**intake.auth_header(), "Idempotency-Key": "growth-1"}
    first = await intake.client.post(path, json=body(), headers=headers)
    again = await intake.client.post(path, json=body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    other = await intake.client.post(path, json=body(description="More"), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"
    without_key = await intake.client.post(path, json=body(), headers=intake.auth_header())
    assert without_key.status_code == 409
    assert len((await intake.client.get(path, headers=headers)).json()["items"]) == 1


async def test_a_new_portfolio_is_announced_once_with_its_manager(intake: Intake) -> None:
    headers = {**intake.auth_header(), "Idempotency-Key": "growth-once"}
    created = await create(intake.client, "/v1/portfolios", headers)
    replayed = await intake.client.post("/v1/portfolios", json=body(), headers=headers)
    assert replayed.headers["idempotent-replayed"] == "true"
    taken = await intake.client.post("/v1/portfolios", json=body(), headers=intake.auth_header())
    assert taken.status_code == 409

    (topic, event), (member_topic, member) = await intake.outbox_events()
    assert topic == event["type"] == "intake.portfolio.created"
    # No project to key it by: the key (the subject) is the portfolio.
    assert event["subject"] == created["id"]
    assert event["data"] == {
        "portfolio_id": created["id"],
        "name": "Growth",
        "owner": "olga@example.com",
    }
    # The owner is its first portfolio manager (ADR 0026), announced after the portfolio.
    assert member_topic == member["type"] == "intake.portfolio.member_added"
    assert member["subject"] == created["id"]
    assert member["data"] == {
        **member["data"],
        "portfolio_id": created["id"],
        "email": "olga@example.com",
        "role": "portfolio_manager",
        "changed_by": "pmo@example.com",
    }


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize(
    ("field", "fields"),
    [
        ("body.owner", {"owner": "not-an-email"}),
        ("body.name", {"name": "  "}),
        ("body.colour", {"colour": "blue"}),
        ("body.description", {"description": "x" * 4001}),
    ],
)
async def test_invalid_bodies_name_the_field(
    intake: Intake, path: str, field: str, fields: dict[str, Any]
) -> None:
    response = await intake.client.post(path, json=body(**fields), headers=intake.auth_header())
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("path", RESOURCES)
async def test_a_name_is_used_once(intake: Intake, path: str) -> None:
    await create(intake.client, path, intake.auth_header())
    taken = await intake.client.post(
        path, json=body(owner="x@example.com"), headers=intake.auth_header()
    )
    assert taken.status_code == 409
    assert taken.json()["errors"] == [{"field": "body.name", "reason": "already used"}]


async def test_programmes_belong_to_existing_portfolios(intake: Intake) -> None:
    admin = intake.auth_header()
    portfolio = await create(intake.client, "/v1/portfolios", admin)
    inside = await create(intake.client, "/v1/programs", admin, portfolio_id=portfolio["id"])
    loose = await create(intake.client, "/v1/programs", admin, name="Loose")
    assert inside["portfolio_id"] == portfolio["id"]
    assert loose["portfolio_id"] is None
    for bad_id, reason in [(UNKNOWN_ID, "no portfolio with this id exists"), ("x", None)]:
        refused = await intake.client.post(
            "/v1/programs", json=body(name="Other", portfolio_id=bad_id), headers=admin
        )
        assert refused.status_code == 422
        errors = refused.json()["errors"]
        assert errors[0]["field"] == "body.portfolio_id"
        assert reason is None or errors[0]["reason"] == reason
    of_portfolio = await intake.client.get(
        "/v1/programs", params={"portfolio_id": portfolio["id"]}, headers=admin
    )
    assert [p["id"] for p in of_portfolio.json()["items"]] == [inside["id"]]
    everything = await intake.client.get("/v1/programs", headers=admin)
    assert [p["name"] for p in everything.json()["items"]] == ["Growth", "Loose"]


async def test_projects_must_sit_in_their_programmes_portfolio(intake: Intake) -> None:
    admin = intake.auth_header()
    portfolio = await create(intake.client, "/v1/portfolios", admin)
    other = await create(intake.client, "/v1/portfolios", admin, name="Other")
    program = await create(intake.client, "/v1/programs", admin, portfolio_id=portfolio["id"])
    cases = [
        ({"portfolio_id": UNKNOWN_ID}, "body.portfolio_id", "no portfolio with this id exists"),
        ({"program_id": UNKNOWN_ID}, "body.program_id", "no programme with this id exists"),
        (
            {"program_id": program["id"], "portfolio_id": other["id"]},
            "body.portfolio_id",
            f"the programme {program['id']} belongs to portfolio {portfolio['id']}; "
            "leave portfolio_id out or give that one",
        ),
    ]
    for overrides, field, reason in cases:
        refused = await intake.client.post(
            "/v1/projects", json=intake.project_body(**overrides), headers=admin
        )
        assert refused.status_code == 422
        assert {"field": field, "reason": reason} in refused.json()["errors"]
    placed = await intake.client.post(
        "/v1/projects",
        json=intake.project_body(program_id=program["id"], portfolio_id=portfolio["id"]),
        headers=admin,
    )
    assert placed.status_code == 201, placed.text
    listed = await intake.client.get(
        "/v1/projects", params={"program_id": program["id"]}, headers=admin
    )
    assert [p["id"] for p in listed.json()["items"]] == [placed.json()["id"]]


@pytest.mark.parametrize("path", RESOURCES)
async def test_one_is_read_by_any_caller(intake: Intake, path: str) -> None:
    created = await create(intake.client, path, intake.auth_header())
    viewer = intake.auth_header("viewer", "vic@example.com")
    assert (await intake.client.get(f"{path}/{created['id']}")).status_code == 401
    read = await intake.client.get(f"{path}/{created['id']}", headers=viewer)
    assert read.status_code == 200
    assert read.json() == created
    missing = await intake.client.get(f"{path}/{UNKNOWN_ID}", headers=viewer)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", RESOURCES)
async def test_the_owner_or_an_admin_changes_one(intake: Intake, path: str) -> None:
    created = await create(intake.client, path, intake.auth_header(), description="First")
    url = f"{path}/{created['id']}"
    owner = intake.auth_header("portfolio_manager", "Olga@Example.com")
    renamed = await intake.client.patch(url, json={"name": "Renamed"}, headers=owner)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {**created, "name": "Renamed"}
    handed_over = await intake.client.patch(
        url, json={"owner": "paul@example.com", "description": None}, headers=intake.auth_header()
    )
    assert handed_over.status_code == 200, handed_over.text
    assert handed_over.json()["owner"] == "paul@example.com"
    assert handed_over.json()["description"] is None
    if path == "/v1/portfolios":
        # A previous owner stays a portfolio manager of it until removed (ADR 0026).
        kept = await intake.client.patch(url, json={"description": "Kept"}, headers=owner)
        assert kept.status_code == 200, kept.text
        removed = await intake.client.delete(
            f"{url}/members/olga@example.com", headers=intake.auth_header()
        )
        assert removed.status_code == 204
    # Olga handed it over: she no longer changes it; nor does anyone else but an admin.
    for outsider in (owner, intake.auth_header("project_manager", "paul2@example.com")):
        refused = await intake.client.patch(url, json={"name": "Mine"}, headers=outsider)
        assert refused.status_code == 403
    assert (await intake.client.patch(url, json={"name": "X"})).status_code == 401
    read = await intake.client.get(url, headers=intake.auth_header())
    assert read.json()["name"] == "Renamed"
    unknown = await intake.client.patch(
        f"{path}/{UNKNOWN_ID}", json={"name": "X"}, headers=intake.auth_header()
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize(
    ("field", "fields"),
    [
        ("body.name", {"name": None}),
        ("body.owner", {"owner": None}),
        ("body.owner", {"owner": "not-an-email"}),
        ("body.colour", {"colour": "blue"}),
        ("body.created_at", {"created_at": "2026-01-01T00:00:00Z"}),
    ],
)
async def test_a_change_names_the_refused_field(
    intake: Intake, path: str, field: str, fields: dict[str, Any]
) -> None:
    created = await create(intake.client, path, intake.auth_header())
    response = await intake.client.patch(
        f"{path}/{created['id']}", json=fields, headers=intake.auth_header()
    )
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("path", RESOURCES)
async def test_a_rename_to_a_used_name_is_refused(intake: Intake, path: str) -> None:
    await create(intake.client, path, intake.auth_header())
    other = await create(intake.client, path, intake.auth_header(), name="Other")
    url = f"{path}/{other['id']}"
    taken = await intake.client.patch(url, json={"name": "Growth"}, headers=intake.auth_header())
    assert taken.status_code == 409
    assert taken.json()["errors"] == [{"field": "body.name", "reason": "already used"}]
    same = await intake.client.patch(url, json={"name": "Other"}, headers=intake.auth_header())
    assert same.status_code == 200


async def test_a_portfolio_scores_with_an_existing_model(intake: Intake) -> None:
    created = await create(intake.client, "/v1/portfolios", intake.auth_header())
    refused = await intake.client.patch(
        f"/v1/portfolios/{created['id']}",
        json={"scoring_model_id": UNKNOWN_ID},
        headers=intake.auth_header(),
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.scoring_model_id"


async def test_a_programme_moves_with_its_projects(intake: Intake) -> None:
    admin = intake.auth_header()
    portfolio = await create(intake.client, "/v1/portfolios", admin)
    other = await create(intake.client, "/v1/portfolios", admin, name="Other")
    program = await create(intake.client, "/v1/programs", admin, portfolio_id=portfolio["id"])
    url = f"/v1/programs/{program['id']}"
    unknown = await intake.client.patch(url, json={"portfolio_id": UNKNOWN_ID}, headers=admin)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.portfolio_id"
    project = await intake.new_project(program_id=program["id"], portfolio_id=portfolio["id"])
    closed = await intake.new_project(name="Done", program_id=program["id"])
    closing = await intake.client.post(f"/v1/projects/{closed['id']}/close", headers=admin)
    assert closing.status_code == 200, closing.text
    before = len(await intake.outbox_events())

    moved = await intake.client.patch(url, json={"portfolio_id": other["id"]}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert moved.json()["portfolio_id"] == other["id"]
    # Its active project moved along and was announced; the closed one stays where it closed.
    rehomed = await intake.client.get(f"/v1/projects/{project['id']}", headers=admin)
    assert rehomed.json()["portfolio_id"] == other["id"]
    assert rehomed.json()["version"] == project["version"] + 1
    kept = await intake.client.get(f"/v1/projects/{closed['id']}", headers=admin)
    assert kept.json()["portfolio_id"] == portfolio["id"]
    ((topic, event),) = (await intake.outbox_events())[before:]
    assert topic == "project.updated"
    assert event["subject"] == project["id"]
    assert event["data"]["portfolio_id"] == other["id"]
    assert event["data"]["program_id"] == program["id"]
    assert event["data"]["changed_fields"] == ["portfolio_id"]

    loose = await intake.client.patch(url, json={"portfolio_id": None}, headers=admin)
    assert loose.status_code == 200, loose.text
    assert loose.json()["portfolio_id"] is None
    # Out of any portfolio, the programme leaves its projects where they are.
    stays = await intake.client.get(f"/v1/projects/{project['id']}", headers=admin)
    assert stays.json()["portfolio_id"] == other["id"]
