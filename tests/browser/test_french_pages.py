"""The dashboard for a French-speaking reader, in real headless Chromium.

A second Chromium started with `--lang=fr` and `fr` as its accept-language preference (as a
browser set to French sends it) opens the portfolio: the page answers in French, names its
language, writes figures the French way, and axe-core still finds no serious barrier.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

if TYPE_CHECKING:
    from conftest import Pages

# French colour words of the seeded projects' RAG (conftest.SEEDS gives them in English).
RAG_IN_FRENCH = {"Red": "Rouge", "Amber": "Orange", "Green": "Vert"}


@pytest.fixture(scope="module")
def french_browser(driver: webdriver.Chrome) -> Iterator[webdriver.Chrome]:
    """Headless Chromium set to French, through the suite's chromedriver (no download)."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("PMO_TEST_CHROMIUM") or shutil.which("chromium") or ""
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=fr",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    # The suite's own browser found chromedriver already (Debian's, never Selenium Manager's).
    chromedriver = Service(executable_path=driver.service.path)
    browser = webdriver.Chrome(service=chromedriver, options=options)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def french_pages(pages: Pages, french_browser: webdriver.Chrome) -> Pages:
    """The suite's page helpers (axe, screenshots) driving the French browser, signed out."""
    french_browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    pages.driver = french_browser
    return pages


def _sign_in_in_french(french_pages: Pages) -> None:
    """The sign-in form, in French (the suite's sign_in expects the English heading)."""
    french_pages.open("/ui/login")
    assert french_pages.text("h1") == "Se connecter"
    french_pages.driver.find_element(By.ID, "token").send_keys(
        french_pages.site.token("pmo_admin", "pmo-admin@example.com")
    )
    french_pages.submit("form.sign-in button")


def test_a_french_browser_reads_the_portfolio_in_french_without_barriers(
    french_pages: Pages,
) -> None:
    _sign_in_in_french(french_pages)

    assert french_pages.text("h1") == "Santé du portefeuille"
    html = french_pages.driver.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") == "fr"
    rows = {
        row.find_element(By.CSS_SELECTOR, "th[scope=row] a").text: row
        for row in french_pages.driver.find_elements(By.CSS_SELECTOR, "table.heatmap tbody tr")
    }
    assert set(rows) == set(french_pages.site.projects)
    for name, project in french_pages.site.projects.items():
        rag_cell = rows[name].find_elements(By.TAG_NAME, "td")[0]
        assert rag_cell.text == RAG_IN_FRENCH[project.rag_word], name
    headings = [th.text for th in french_pages.driver.find_elements(By.CSS_SELECTOR, "thead th")]
    assert {"Projet", "Jalons", "Rapports", "Dernier rapport"} <= set(headings)
    # Figures the French way: decimal commas, the euro sign after the amount.
    money = french_pages.text("dl.money")
    assert ",00\u00a0€" in money or ",00 €" in money, money
    assert french_pages.serious_violations() == []
    french_pages.screenshot("portfolio-fr")


def test_the_glossary_in_french_has_no_barrier_either(french_pages: Pages) -> None:
    _sign_in_in_french(french_pages)
    french_pages.open_glossary("Glossaire")
    assert french_pages.text("h1") == "Glossaire"
    assert "Indice de performance des coûts (CPI)" in french_pages.text("#cpi h3")
    assert french_pages.serious_violations() == []
    french_pages.screenshot("glossary-fr")
