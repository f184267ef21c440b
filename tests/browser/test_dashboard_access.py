"""Who sees what: the sign-in cookie, the 403 page, and pages that allow no script."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from selenium.webdriver.common.by import By

if TYPE_CHECKING:
    from conftest import Pages, Site


def test_signing_in_sets_an_http_only_strict_cookie_that_scripts_cannot_read(pages: Pages) -> None:
    pages.open("/ui/login")
    assert pages.serious_violations() == []
    pages.screenshot("login")
    pages.sign_in("pmo_admin", "pmo-admin@example.com")
    cookie = pages.driver.get_cookie("pmo_ui_token")
    assert cookie is not None
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/ui"
    assert cookie["secure"] is False  # plain http here; https answers set Secure
    assert "pmo_ui_token" not in pages.driver.execute_script("return document.cookie")
    pages.submit("form.sign-out button")
    assert pages.driver.get_cookie("pmo_ui_token") is None
    assert pages.text("h1") == "Sign in"


def test_a_refused_token_is_not_kept(pages: Pages) -> None:
    pages.open("/ui/login")
    forged = pages.site.tokens.forged("wrong key", "pmo-admin@example.com")
    pages.driver.find_element(By.ID, "token").send_keys(forged)
    pages.submit("form.sign-in button")
    assert "not valid" in pages.text("p.form-error")
    assert pages.driver.get_cookie("pmo_ui_token") is None
    assert pages.serious_violations() == []


def test_a_manager_cannot_open_another_managers_project(pages: Pages, http: httpx.Client) -> None:
    borealis = pages.site.projects["Borealis warehouse"]
    ada = "ada.manager@example.com"
    assert borealis.manager != ada
    pages.sign_in("project_manager", ada)
    listed = pages.text("table.heatmap tbody")
    assert "Apollo ERP rollout" in listed
    assert "Borealis warehouse" not in listed
    pages.open(f"/ui/projects/{borealis.id}")
    assert pages.text("h1") == "You cannot open this page"
    assert "only read the health and reports of projects you manage" in pages.text("p.problem")
    assert not pages.driver.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert pages.serious_violations() == []
    pages.screenshot("forbidden")
    token = pages.site.token("project_manager", ada)
    answer = http.get(f"/ui/projects/{borealis.id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "Borealis" not in answer.text


def test_pages_need_a_sign_in_and_allow_no_script(http: httpx.Client, site: Site) -> None:
    assert http.get("/ui/").status_code == 401
    token = site.token("viewer", "viewer@example.com")
    answer = http.get("/ui/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert answer.headers["cache-control"] == "no-store"
    assert "<script" not in answer.text


def test_a_sign_in_form_posted_from_another_site_is_refused(http: httpx.Client, site: Site) -> None:
    token = site.token("pmo_admin", "pmo-admin@example.com")
    answer = http.post(
        "/ui/login", data={"token": token}, headers={"Origin": "https://evil.example.com"}
    )
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers
