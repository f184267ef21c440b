"""The web view in real headless Chromium: monitoring under uvicorn on real PostgreSQL, seeded.

Monitoring alone serves the view, so the suite starts only monitoring (no Kafka): the projects
reach it as `project.created` events through its real applier, in process, and the status
reports through its API; then uvicorn serves the same database to Debian's Chromium, driven by
Selenium through Debian's chromedriver (its path given, so Selenium Manager never downloads a
driver or a browser). axe-core, fetched by npm into the cache (`make test-browser`), checks
each page. Screenshots go to tests/browser/artefacts/ (ignored by git) and, with
PMO_WRITE_SCREENSHOTS=1 (`make screenshots`), the README's to docs/screenshots/.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pmo_common.events.envelope import CloudEvent
from pmo_common.messaging.event_applier import Outcome
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.main import create_app
from pmo_stack.paths import default_cache_dir, repo_root
from pmo_stack.ports import free_port
from pmo_stack.services import ServiceProcess, migrate
from pmo_stack.testkit.in_process import asgi_client, running
from pmo_stack.testkit.tokens import TokenFactory
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

TODAY = datetime.now(UTC).date()
ADMIN = "pmo-admin@example.com"
ADA = "ada.manager@example.com"
GRACE = "grace.manager@example.com"
ARTEFACTS = Path(__file__).parent / "artefacts"
README_SCREENSHOTS = repo_root() / "docs" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
PAGE_WAIT_SECONDS = 20


@dataclass(frozen=True)
class SeededProject:
    """A project the suite seeded, with the RAG its row must name."""

    id: str
    name: str
    manager: str
    rag_word: str


@dataclass
class Site:
    """Monitoring serving the view, the tokens it accepts and what was seeded."""

    url: str
    tokens: TokenFactory
    projects: dict[str, SeededProject] = field(default_factory=dict)

    def token(self, role: str, email: str) -> str:
        return self.tokens.token([role], email)


def _project_data(name: str, manager: str, portfolio_id: str, **changes: Any) -> dict[str, Any]:
    """project.created data: 200 days, half elapsed today, budget 100,000 EUR."""
    return {
        "project_id": str(uuid.uuid4()),
        "name": name,
        "manager": manager,
        "sponsor": ADMIN,
        "methodology": "waterfall",
        "start_date": (TODAY - timedelta(days=100)).isoformat(),
        "end_date": (TODAY + timedelta(days=100)).isoformat(),
        "budget": 100000.0,
        "currency": "EUR",
        "milestones": [
            {"name": "Design signed off", "due_date": (TODAY - timedelta(days=40)).isoformat()},
            {"name": "Go-live", "due_date": (TODAY + timedelta(days=90)).isoformat()},
        ],
        "portfolio_id": portfolio_id,
        "program_id": None,
        "status": "active",
        "version": 1,
        **changes,
    }


def _report(days_ago: int, percent: float, cost: float, **changes: Any) -> dict[str, Any]:
    return {
        "as_of": (TODAY - timedelta(days=days_ago)).isoformat(),
        "percent_complete": percent,
        "actual_cost": cost,
        "milestones": [{"name": "Design signed off", "status": "done"}],
        **changes,
    }


def _on_plan(days_ago: int) -> dict[str, Any]:
    """A report exactly on plan (PV = EV = AC) `days_ago` days ago."""
    planned = (100 - days_ago) / 200 * 100
    return _report(days_ago, planned, planned * 1000, manager_rag="green")


# name -> (manager, RAG word, reports): Apollo turned red today after weeks on plan, Borealis
# overspends a little (amber), Cassini is on plan, Dawn never reported (amber: overdue).
SEEDS: dict[str, tuple[str, str, list[dict[str, Any]]]] = {
    "Apollo ERP rollout": (
        ADA,
        "Red",
        [
            _on_plan(56),
            _report(42, 28.7, 28400, manager_rag="green"),
            _report(28, 36, 36400, manager_rag="green"),
            _report(14, 42.1, 42100, manager_rag="green"),
            _report(
                0,
                44,
                52000,
                manager_rag="amber",
                summary="Build slipped: the supplier delivered the servers four weeks late.\n"
                "Recovery plan agreed with the sponsor.",
                risks=[{"title": "Key supplier late again", "probability": 0.4, "impact": 4}],
            ),
        ],
    ),
    "Borealis warehouse": (GRACE, "Amber", [_on_plan(30), _report(0, 48, 51600)]),
    "Cassini data platform": (ADA, "Green", [_on_plan(20), _on_plan(6)]),
    "Dawn CRM": (ADA, "Amber", []),
}


async def _seed(database_url: str, tokens: TokenFactory, data_dir: Path) -> Site:
    settings = MonitoringSettings(
        database_url=database_url,
        kafka_enabled=False,
        overdue_check_seconds=0,
        auth_jwt_secret=tokens.secret,
        environment="test",
        data_dir=data_dir,
        log_level="WARNING",
    )
    app = create_app(settings)
    site = Site(url="", tokens=tokens)
    admin = {"Authorization": f"Bearer {tokens.token(['pmo_admin'], ADMIN)}"}
    portfolios = [str(uuid.uuid4()), str(uuid.uuid4())]
    async with running(app), asgi_client(app, "http://monitoring") as client:
        for number, (name, (manager, rag_word, reports)) in enumerate(SEEDS.items()):
            data = _project_data(name, manager, portfolios[number % 2])
            event = CloudEvent(
                id=str(uuid.uuid4()),
                source="/pmo/intake",
                type="project.created",
                subject=data["project_id"],
                data=data,
            )
            outcome, failure = await app.state.runtime.applier.apply(event)
            assert outcome == Outcome.APPLIED, failure
            for report in reports:
                url = f"/v1/projects/{data['project_id']}/status-reports"
                answer = await client.post(url, headers=admin, json=report)
                assert answer.status_code == 201, answer.text
            site.projects[name] = SeededProject(data["project_id"], name, manager, rag_word)
    return site


@pytest.fixture(scope="session")
def site(make_database: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Monitoring under uvicorn on a seeded PostgreSQL database, Kafka off."""
    data_dir = tmp_path_factory.mktemp("browser-monitoring")
    tokens = TokenFactory(secrets.token_hex(24))
    database_url = make_database("browser_monitoring")
    env = {
        "PMO_ENVIRONMENT": "test",
        "PMO_DATA_DIR": str(data_dir),
        "PMO_MONITORING_DATABASE_URL": database_url,
        "PMO_KAFKA_ENABLED": "false",
        "PMO_AUTH_JWT_SECRET": tokens.secret,
        "PMO_MONITORING_OVERDUE_CHECK_SECONDS": "0",
        "PMO_LOG_LEVEL": "WARNING",
    }
    migrate("monitoring", env)
    seeded = asyncio.run(_seed(database_url, tokens, data_dir))
    process = ServiceProcess(
        "monitoring", env=env, log_path=data_dir / "monitoring.log", port=free_port()
    )
    process.start()
    try:
        process.wait_ready(timeout=60)
        seeded.url = process.url
        yield seeded
    finally:
        process.stop()


def _browser_binary(variable: str, default: str, package: str) -> str:
    path = os.environ.get(variable) or shutil.which(default) or ""
    if not path:
        pytest.fail(
            f"{default} not found: install Debian's `{package}` package (.ci/run does) "
            f"or set {variable}.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, from PMO_TEST_AXE_CORE or the cache `make test-browser` fills."""
    given = os.environ.get("PMO_TEST_AXE_CORE")
    found = (
        [Path(given)]
        if given
        else sorted(default_cache_dir().glob("axe-core-*/node_modules/axe-core/axe.min.js"))
    )
    if not found or not found[-1].is_file():
        pytest.fail(
            "axe-core not found: `make test-browser` fetches it with npm into .cache/ "
            "(or set PMO_TEST_AXE_CORE to an axe.min.js).",
            pytrace=False,
        )
    return found[-1].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def driver() -> Iterator[webdriver.Chrome]:
    """Headless Debian Chromium through Debian's chromedriver (no Selenium Manager)."""
    options = webdriver.ChromeOptions()
    options.binary_location = _browser_binary("PMO_TEST_CHROMIUM", "chromium", "chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=en-GB",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    chromedriver = _browser_binary("PMO_TEST_CHROMEDRIVER", "chromedriver", "chromium-driver")
    browser = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        yield browser
    finally:
        browser.quit()


class Pages:
    """What the tests do in the browser: sign in, open a page, run axe, take screenshots."""

    def __init__(self, site: Site, driver: webdriver.Chrome, axe_source: str) -> None:
        self.site = site
        self.driver = driver
        self.axe_source = axe_source

    def open(self, path: str) -> None:
        self.driver.get(self.site.url + path)

    def sign_in(self, role: str, email: str) -> None:
        """Through the sign-in form, as a person would (the cookie is the browser's)."""
        self.open("/ui/login")
        self.driver.find_element(By.ID, "token").send_keys(self.site.token(role, email))
        self.submit("form.sign-in button")
        assert self.driver.find_element(By.TAG_NAME, "h1").text == "Portfolio health"

    def open_glossary(self, link_text: str) -> None:
        """Open the glossary the way the header links it (the link named `link_text`)."""
        link = self.driver.find_element(By.LINK_TEXT, link_text)
        assert link.get_attribute("href") == self.site.url + "/ui/glossary"
        self.open("/ui/glossary")

    def submit(self, button: str) -> None:
        """Click a form's button and wait for the page it leads to (a click does not wait)."""
        # A mark on the current page's window: the page the form leads to gets a new window
        # object without it. (Waiting for the old <html> element to go stale is not portable:
        # Chromium 156 answers an inspector error instead of "stale element" mid-navigation.)
        self.driver.execute_script("window.pmoPageBeforeSubmit = true;")
        self.driver.find_element(By.CSS_SELECTOR, button).click()
        WebDriverWait(
            self.driver, PAGE_WAIT_SECONDS, ignored_exceptions=(WebDriverException,)
        ).until(
            lambda browser: browser.execute_script(
                "return window.pmoPageBeforeSubmit === undefined"
                " && document.readyState === 'complete';"
            )
        )

    def text(self, selector: str) -> str:
        return str(self.driver.find_element(By.CSS_SELECTOR, selector).text)

    def serious_violations(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical WCAG 2.2 A/AA violations on the open page."""
        self.driver.execute_script(self.axe_source)
        outcome: dict[str, Any] = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
              .then(result => done({passes: result.passes.length,
                violations: result.violations.map(v => ({
                  id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))}))
              .catch(error => done({error: String(error)}));
            """,
            WCAG_TAGS,
        )
        assert "error" not in outcome, outcome
        assert outcome["passes"] > 0, "axe checked nothing on the page"
        return [v for v in outcome["violations"] if v["impact"] in BLOCKING_IMPACTS]

    def screenshot(self, name: str, *, readme: bool = False) -> Path:
        """A full-page PNG in the artefacts; the README's copy too when asked for."""
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics["cssContentSize"]
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": size["height"],
                    "scale": 1,
                },
            },
        )
        image = base64.b64decode(shot["data"])
        path = _artefact(f"{name}.png", image)
        if readme and os.environ.get("PMO_WRITE_SCREENSHOTS") == "1":
            README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            (README_SCREENSHOTS / f"{name}.png").write_bytes(image)
        return path

    def save_pdf(self, name: str, data: str) -> Path:
        """A PDF (base64, as Chromium prints it) in the artefacts."""
        return _artefact(f"{name}.pdf", base64.b64decode(data))


def _artefact(name: str, content: bytes) -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / name
    path.write_bytes(content)
    return path


@pytest.fixture
def pages(site: Site, driver: webdriver.Chrome, axe_source: str) -> Pages:
    """The browser on the seeded site, signed out."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    return Pages(site, driver, axe_source)


@pytest.fixture
def http(site: Site) -> Iterator[httpx.Client]:
    """A plain HTTP client on the site (for statuses and headers a browser does not show)."""
    with httpx.Client(base_url=site.url, timeout=10, follow_redirects=False) as client:
        yield client
