"""Portfolio membership over HTTP (ADR 0026): who is given which role in a portfolio, by whom,
announced (intake.portfolio.member_added / member_removed) and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmo_stack.testkit.openapi_checks import refused_fields

if TYPE_CHECKING:
    from conftest import Intake

GRACE = "grace@example.com"


def members_url(portfolio_id: str) -> str:
    return f"/v1/portfolios/{portfolio_id}/members"


async def member_events(intake: Intake) -> list[tuple[str, dict[str, Any]]]:
    """(topic, data) of every membership event in the outbox, oldest first."""
    return [
        (topic, event["data"])
        for topic, event in await intake.outbox_events()
        if topic.startswith("intake.portfolio.member_")
    ]


async def test_an_admin_adds_changes_and_removes_a_member(intake: Intake) -> None:
    admin = intake.auth_header()
    portfolio = await intake.new_portfolio()
    url = members_url(portfolio)

    added = await intake.client.post(
        url, json={"email": "Grace@Example.com", "role": "viewer"}, headers=admin
    )
    assert added.status_code == 201, added.text
    assert added.json() == {
        **added.json(),
        "portfolio_id": portfolio,
        "email": GRACE,  # e-mails compare case-insensitively: stored in lower case
        "role": "viewer",
        "added_by": "pmo@example.com",
    }
    again = await intake.client.post(url, json={"email": GRACE, "role": "viewer"}, headers=admin)
    assert again.status_code == 200, again.text
    assert again.json() == added.json()
    promoted = await intake.client.post(
        url, json={"email": GRACE, "role": "portfolio_manager"}, headers=admin
    )
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "portfolio_manager"

    listed = await intake.client.get(url, params={"limit": 1}, headers=admin)
    assert listed.status_code == 200, listed.text
    assert [(m["email"], m["role"]) for m in listed.json()["items"]] == [
        (GRACE, "portfolio_manager")
    ]
    assert listed.json()["next_offset"] == 1
    rest = await intake.client.get(url, params={"offset": 1}, headers=admin)
    # The owner became the first member when the portfolio was created.
    assert [(m["email"], m["role"]) for m in rest.json()["items"]] == [
        ("pam@example.com", "portfolio_manager")
    ]

    removed = await intake.client.delete(f"{url}/GRACE@example.com", headers=admin)
    assert removed.status_code == 204
    assert removed.content == b""
    gone = await intake.client.delete(f"{url}/{GRACE}", headers=admin)
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")

    # The repeated addition announced nothing; the role change is announced with the new role.
    events = await member_events(intake)
    assert [(topic, data["email"], data["role"]) for topic, data in events] == [
        ("intake.portfolio.member_added", "pam@example.com", "portfolio_manager"),
        ("intake.portfolio.member_added", GRACE, "viewer"),
        ("intake.portfolio.member_added", GRACE, "portfolio_manager"),
        ("intake.portfolio.member_removed", GRACE, "portfolio_manager"),
    ]
    assert all(data["portfolio_id"] == portfolio for _, data in events)
    assert events[1][1]["changed_by"] == "pmo@example.com"

    trail = await intake.client.get(
        "/v1/audit", params={"resource_id": f"{portfolio}/{GRACE}"}, headers=admin
    )
    records = trail.json()["items"]
    assert [(r["action"], r["resource_type"]) for r in records] == [
        ("portfolio_member.removed", "portfolio_member"),
        ("portfolio_member.updated", "portfolio_member"),
        ("portfolio_member.added", "portfolio_member"),
    ]
    assert records[1]["changes"]["role"] == {"before": "viewer", "after": "portfolio_manager"}
    assert records[0]["actor"]["email"] == "pmo@example.com"


async def test_the_portfolios_managers_manage_its_members_and_nobody_else(
    intake: Intake, pam: dict[str, str]
) -> None:
    portfolio = await intake.new_portfolio()  # Pam owns it
    other = await intake.new_portfolio(owner="olga@example.com", name="Other")
    body = {"email": GRACE, "role": "viewer"}
    by_pam = await intake.client.post(members_url(portfolio), json=body, headers=pam)
    assert by_pam.status_code == 201, by_pam.text
    assert by_pam.json()["added_by"] == "pam@example.com"

    olga = intake.auth_header("portfolio_manager", "olga@example.com")
    grace = intake.auth_header("viewer", GRACE)
    ada = intake.auth_header("project_manager", "ada@example.com")
    for outsider in (olga, grace, ada):
        refused = await intake.client.post(members_url(portfolio), json=body, headers=outsider)
        assert refused.status_code == 403, refused.text
        deleting = await intake.client.delete(f"{members_url(portfolio)}/{GRACE}", headers=olga)
        assert deleting.status_code == 403
    assert (await intake.client.post(members_url(other), json=body, headers=pam)).status_code == 403
    # A portfolio_manager member whose token is not a portfolio manager's does not manage it.
    promoted = {"email": "ada@example.com", "role": "portfolio_manager"}
    assert (
        await intake.client.post(members_url(portfolio), json=promoted, headers=pam)
    ).status_code == 201
    late = {"email": "zoe@example.com", "role": "viewer"}
    assert (
        await intake.client.post(members_url(portfolio), json=late, headers=ada)
    ).status_code == 403

    # Members read the list (either role), as do PMO admins; outsiders do not.
    grace_member = intake.auth_header("project_manager", GRACE)
    for reader in (pam, grace_member, intake.auth_header()):
        assert (await intake.client.get(members_url(portfolio), headers=reader)).status_code == 200
    assert (await intake.client.get(members_url(portfolio), headers=olga)).status_code == 403
    assert (await intake.client.get(members_url(portfolio))).status_code == 401


async def test_bad_membership_requests_name_the_field(intake: Intake) -> None:
    admin = intake.auth_header()
    url = members_url(await intake.new_portfolio())
    for body, field in (
        ({"email": GRACE, "role": "owner"}, "body.role"),
        ({"email": "not-an-email", "role": "viewer"}, "body.email"),
        ({"role": "viewer"}, "body.email"),
        ({"email": GRACE, "role": "viewer", "colour": "blue"}, "body.colour"),
    ):
        refused = await intake.client.post(url, json=body, headers=admin)
        assert refused.status_code == 422, body
        assert field in refused_fields(refused), body
    unknown = members_url("00000000-0000-0000-0000-000000000000")
    missing = await intake.client.post(
        unknown, json={"email": GRACE, "role": "viewer"}, headers=admin
    )
    assert missing.status_code == 404
    assert (await intake.client.get(unknown, headers=admin)).status_code == 404


async def test_a_new_owner_becomes_a_manager_and_the_previous_one_stays(intake: Intake) -> None:
    admin = intake.auth_header()
    portfolio = await intake.new_portfolio()
    handed = await intake.client.patch(
        f"/v1/portfolios/{portfolio}", json={"owner": "Paul@Example.com"}, headers=admin
    )
    assert handed.status_code == 200, handed.text
    listed = await intake.client.get(members_url(portfolio), headers=admin)
    assert [(m["email"], m["role"]) for m in listed.json()["items"]] == [
        ("pam@example.com", "portfolio_manager"),
        ("paul@example.com", "portfolio_manager"),
    ]
    # A change that keeps the owner (whatever the case of the e-mail) grants nothing again.
    same_owner = {"owner": "paul@example.com", "name": "Renamed"}
    kept = await intake.client.patch(f"/v1/portfolios/{portfolio}", json=same_owner, headers=admin)
    assert kept.status_code == 200, kept.text
    assert [data["email"] for _, data in await member_events(intake)] == [
        "pam@example.com",
        "paul@example.com",
    ]
