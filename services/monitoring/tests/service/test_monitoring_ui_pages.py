"""The web view under /ui/ in process: who may see which page, the sign-in cookie, the headers.

The browser suite (tests/browser) drives the same pages in Chromium; these check what a
browser does not show: statuses, cookie attributes over https, refused forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmo_stack.testkit.in_process import asgi_client

if TYPE_CHECKING:
    from conftest import Monitoring

ADA = "ada@example.com"
GRACE = "grace@example.com"


def _token(header: dict[str, str]) -> str:
    return header["Authorization"].removeprefix("Bearer ")


async def test_a_page_without_a_token_is_a_401_page_with_a_way_to_sign_in(
    monitoring: Monitoring,
) -> None:
    answer = await monitoring.client.get("/ui/")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("text/html")
    assert 'href="/ui/login"' in answer.text


async def test_a_manager_gets_a_403_page_for_another_managers_project(
    monitoring: Monitoring,
) -> None:
    theirs = await monitoring.known_project(manager=GRACE, name="Borealis")
    answer = await monitoring.client.get(
        f"/ui/projects/{theirs['project_id']}",
        headers=monitoring.auth_header("project_manager", ADA),
    )
    assert answer.status_code == 403
    assert "You cannot open this page" in answer.text
    assert "projects you manage" in answer.text
    assert "Borealis" not in answer.text


async def test_the_portfolio_lists_only_the_callers_projects_with_colours_in_words(
    monitoring: Monitoring,
) -> None:
    mine = await monitoring.known_project(name="Apollo")
    await monitoring.known_project(manager=GRACE, name="Borealis")
    await monitoring.file_report(
        mine["project_id"], monitoring.report_body(percent_complete=40, actual_cost=50000)
    )
    answer = await monitoring.client.get(
        "/ui/", headers=monitoring.auth_header("project_manager", ADA)
    )
    assert answer.status_code == 200
    assert "Apollo" in answer.text
    assert "Borealis" not in answer.text
    assert '<span class="rag rag-red">Red</span>' in answer.text
    assert '<td class="cell cell-red"><span class="word">Red</span>' in answer.text


async def test_a_project_without_reports_has_its_page_and_both_charts(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project()
    answer = await monitoring.client.get(
        f"/ui/projects/{project['project_id']}", headers=monitoring.auth_header()
    )
    assert answer.status_code == 200
    assert answer.text.count('<svg class="chart"') == 2
    assert "No status report has been filed yet." in answer.text


async def test_an_unknown_project_and_a_bad_link_are_pages_too(monitoring: Monitoring) -> None:
    missing = await monitoring.client.get(
        "/ui/projects/00000000-0000-0000-0000-000000000000", headers=monitoring.auth_header()
    )
    assert missing.status_code == 404
    assert "has not heard of project" in missing.text
    bad = await monitoring.client.get("/ui/?offset=-1", headers=monitoring.auth_header())
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("text/html")
    assert "query.offset" in bad.text


async def test_pages_allow_no_script_and_are_not_cached(monitoring: Monitoring) -> None:
    answer = await monitoring.client.get("/ui/login")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert answer.headers["cache-control"] == "no-store"
    style = await monitoring.client.get("/ui/static/dashboard.css")
    assert style.headers["content-type"].startswith("text/css")


async def test_signing_in_over_https_keeps_the_token_in_a_secure_strict_http_only_cookie(
    monitoring: Monitoring,
) -> None:
    token = _token(monitoring.auth_header())
    async with asgi_client(monitoring.app, "https://monitoring") as client:
        answer = await client.post("/ui/login", data={"token": token})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/ui/"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"pmo_ui_token={token};")
        for attribute in ("HttpOnly", "Path=/ui", "SameSite=strict", "Secure"):
            assert attribute in cookie, cookie
        assert (await client.get("/ui/")).status_code == 200  # the cookie signs in
        signed_out = await client.post("/ui/logout")
        assert 'pmo_ui_token=""' in signed_out.headers["set-cookie"]
        assert (await client.get("/ui/")).status_code == 401


async def test_a_refused_token_sets_no_cookie(monitoring: Monitoring) -> None:
    answer = await monitoring.client.post("/ui/login", data={"token": "not.a.jwt"})
    assert answer.status_code == 401
    assert "set-cookie" not in answer.headers
    assert "missing, expired or not valid" in answer.text


async def test_sign_in_forms_from_another_site_or_with_other_fields_are_refused(
    monitoring: Monitoring,
) -> None:
    token = _token(monitoring.auth_header())
    forged = await monitoring.client.post(
        "/ui/login", data={"token": token}, headers={"Origin": "https://evil.example.com"}
    )
    assert forged.status_code == 403
    assert "set-cookie" not in forged.headers
    extra = await monitoring.client.post("/ui/login", data={"token": token, "next": "/"})
    assert extra.status_code == 422
    assert "Unknown field: next" in extra.text
    as_json = await monitoring.client.post("/ui/login", json={"token": token})
    assert as_json.status_code == 415


async def test_an_unknown_address_under_ui_is_a_404_page(monitoring: Monitoring) -> None:
    answer = await monitoring.client.get("/ui/no/such/page")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "There is no page at this address." in answer.text
    assert answer.headers["cache-control"] == "no-store"


async def test_a_colour_inside_a_french_sentence_is_lower_case(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()
    await monitoring.file_report(
        project["project_id"], monitoring.report_body(percent_complete=40, actual_cost=50000)
    )
    answer = await monitoring.client.get(
        f"/ui/projects/{project['project_id']}",
        headers={**monitoring.auth_header(), "Accept-Language": "fr"},
    )
    assert "Pourquoi il est rouge" in answer.text
    assert '<span class="rag rag-red">Rouge</span>' in answer.text  # the badge is a label


async def test_each_heatmap_row_links_the_thresholds_that_judge_it(
    monitoring: Monitoring,
) -> None:
    methodology = {
        "key": "lenient",
        "name": "Lenient",
        "version": 1,
        "phases": ["Do"],
        "report_cadence_days": 30,
        "thresholds": {"cpi_amber": 0.85, "cpi_red": 0.75},
    }
    await monitoring.deliver("standards.methodology.published", methodology)
    await monitoring.known_project(name="Apollo", methodology="lenient")
    await monitoring.known_project(name="Borealis")  # waterfall: not heard of, the defaults
    answer = await monitoring.client.get("/ui/", headers=monitoring.auth_header())
    assert '<a class="thresholds" href="/ui/glossary?methodology=lenient">' in answer.text
    # The defaults need no link of their own: the column headers link them.
    assert answer.text.count('class="thresholds"') == 1
