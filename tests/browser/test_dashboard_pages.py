"""The portfolio and project pages in Chromium: what they show, and that axe finds no barrier."""

from __future__ import annotations

from typing import TYPE_CHECKING

from selenium.webdriver.common.by import By

if TYPE_CHECKING:
    from conftest import Pages


def test_the_portfolio_lists_every_project_with_its_colour_in_words(pages: Pages) -> None:
    pages.sign_in("pmo_admin", "pmo-admin@example.com")
    rows = {
        row.find_element(By.CSS_SELECTOR, "th[scope=row] a").text: row
        for row in pages.driver.find_elements(By.CSS_SELECTOR, "table.heatmap tbody tr")
    }
    assert set(rows) == set(pages.site.projects)
    for name, project in pages.site.projects.items():
        rag_cell = rows[name].find_elements(By.TAG_NAME, "td")[0]
        assert rag_cell.text == project.rag_word, name
    apollo = rows["Apollo ERP rollout"]
    cells = [cell.text for cell in apollo.find_elements(By.CSS_SELECTOR, "td.cell")]
    assert any(text.startswith("Red") for text in cells), cells
    headings = [th.text for th in pages.driver.find_elements(By.CSS_SELECTOR, "thead th")]
    assert {"CPI", "SPI", "SPI(t)", "EAC", "Milestones", "Reporting"} <= set(headings)
    assert pages.serious_violations() == []
    pages.screenshot("portfolio", readme=True)


def test_the_portfolio_names_the_projects_that_changed_colour_this_week(pages: Pages) -> None:
    pages.sign_in("pmo_admin", "pmo-admin@example.com")
    changes = pages.text("ul.changes")
    # Apollo was on plan a week ago and is red today; the others kept their colour.
    assert "Apollo ERP rollout: was green" in changes
    assert "now red" in changes
    assert "Cassini" not in changes


def test_the_portfolio_filters_by_portfolio(pages: Pages) -> None:
    pages.sign_in("pmo_admin", "pmo-admin@example.com")
    options = pages.driver.find_elements(By.CSS_SELECTOR, "#portfolio_id option")
    chosen = options[1].get_attribute("value")
    options[1].click()
    pages.submit("form.filters button")
    listed = pages.driver.find_elements(By.CSS_SELECTOR, "table.heatmap tbody tr")
    assert 0 < len(listed) < len(pages.site.projects)
    assert f"portfolio_id={chosen}" in pages.driver.current_url


def test_the_project_page_shows_both_charts_and_the_reasons(pages: Pages) -> None:
    apollo = pages.site.projects["Apollo ERP rollout"]
    pages.sign_in("project_manager", apollo.manager)
    pages.open(f"/ui/projects/{apollo.id}")
    charts = pages.driver.find_elements(By.CSS_SELECTOR, "svg.chart")
    titles = [
        chart.find_element(By.TAG_NAME, "title").get_attribute("textContent") or ""
        for chart in charts
    ]
    assert len(charts) == 2
    assert titles[0].startswith("S-curve")
    assert titles[1].startswith("Performance indices")
    series = {
        element.get_attribute("class")
        for element in pages.driver.find_elements(By.CSS_SELECTOR, "svg.chart g.series")
    }
    assert {
        "series series-pv",
        "series series-ev",
        "series series-ac",
        "series series-cpi",
        "series series-spi",
        "series series-spi_t",
    } <= series
    zones = pages.driver.find_elements(By.CSS_SELECTOR, "#main svg.chart rect.zone")
    assert {zone.get_attribute("class") for zone in zones} == {"zone zone-amber", "zone zone-red"}
    reasons = pages.text("ul.reasons")
    assert "Cost performance 0.85" in reasons
    assert "Red" in pages.text("h1")
    assert "Build slipped" in pages.text("p.summary")
    assert pages.serious_violations() == []
    pages.screenshot("project", readme=True)


def test_the_project_page_prints_as_a_status_snapshot(pages: Pages) -> None:
    cassini = pages.site.projects["Cassini data platform"]
    pages.sign_in("pmo_admin", "pmo-admin@example.com")
    pages.open(f"/ui/projects/{cassini.id}")
    pages.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        header = pages.driver.find_element(By.CSS_SELECTOR, "header.site-header")
        assert not header.is_displayed()
        assert all(
            chart.is_displayed()
            for chart in pages.driver.find_elements(By.CSS_SELECTOR, "svg.chart")
        )
        pdf = pages.driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
    finally:
        pages.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert pdf["data"]
    pages.save_pdf("project-status", pdf["data"])


def test_the_glossary_explains_every_signal_without_barriers(pages: Pages) -> None:
    pages.sign_in("pmo_admin", "pmo-admin@example.com")
    pages.open_glossary("Glossary")
    assert pages.text("h1") == "Glossary"
    # The worked example's arithmetic adds up with the figures it prints.
    assert "EAC = 100,000 EUR / 0.85 = 117,647 EUR." in pages.text("#eac")
    assert pages.serious_violations() == []
    pages.screenshot("glossary", readme=True)
