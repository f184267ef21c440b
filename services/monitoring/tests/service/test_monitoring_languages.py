"""English and French: the reasons, notes and forecasts of the API in the language
Accept-Language asks for (else PMO_DEFAULT_LOCALE), every published reason in both languages,
and the web view in French. English stays exactly what it always was.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pmo_monitoring.config import MonitoringSettings
from pmo_monitoring.main import create_app
from pmo_stack.testkit.in_process import asgi_client, running
from pmo_stack.testkit.tokens import dev_auth_header

from .conftest import BASE_URL

if TYPE_CHECKING:
    from conftest import Monitoring

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
NBSP = "\u00a0"
# Half done, 58,823.53 spent: CPI 0.85 (red), EAC 117,647 (red) on the 100,000 EUR budget.
RED_REPORT = {"percent_complete": 50, "actual_cost": 58823.53, "manager_rag": "red"}


def _french(monitoring: Monitoring, **more: str) -> dict[str, str]:
    return {**monitoring.auth_header(), **FRENCH, **more}


async def _red_project(monitoring: Monitoring) -> str:
    project = await monitoring.known_project()
    await monitoring.file_report(project["project_id"], monitoring.report_body(**RED_REPORT))
    return str(project["project_id"])


def _by_code(reasons: list[dict[str, Any]]) -> dict[str, str]:
    return {reason["code"]: reason["message"] for reason in reasons}


async def test_a_project_health_asked_in_french_answers_its_reasons_in_french(
    monitoring: Monitoring,
) -> None:
    project_id = await _red_project(monitoring)

    answer = await monitoring.client.get(
        f"/v1/projects/{project_id}/health", headers=_french(monitoring)
    )

    assert answer.status_code == 200
    assert answer.headers["content-language"] == "fr"
    assert "Accept-Language" in answer.headers["vary"]
    reasons = _by_code(answer.json()["reasons"])
    cpi = reasons["cpi_below_threshold"]
    assert cpi.startswith(f"Indice de performance des coûts (CPI) de 0,85{NBSP}: chaque EUR")
    assert f"{NBSP}; rouge en dessous de 0,90." in cpi
    eac = reasons["eac_over_budget"]
    assert eac.startswith("L'estimation à l'achèvement (EAC) de 117\u202f647,06\u00a0€")
    assert "dépasse de 17,6\u00a0% le budget de 100\u202f000,00\u00a0€" in eac
    assert reasons["manager_flagged"].startswith("Le chef de projet place le projet en rouge")
    # The forecast is said in French too, its date the French way.
    assert answer.json()["forecast"]["message"].startswith("Au rythme actuel (SPI(t) 1,00)")


async def test_without_accept_language_the_answer_is_the_english_it_always_was(
    monitoring: Monitoring,
) -> None:
    project_id = await _red_project(monitoring)

    answer = await monitoring.client.get(
        f"/v1/projects/{project_id}/health", headers=monitoring.auth_header()
    )

    assert answer.headers["content-language"] == "en"
    reasons = _by_code(answer.json()["reasons"])
    assert reasons["cpi_below_threshold"] == (
        "Cost performance 0.85: each EUR spent has earned 0.85 EUR of planned work; red below 0.90."
    )
    assert reasons["eac_over_budget"].startswith(
        "Forecast cost at completion 117,647 EUR is 17.6% over the 100,000 EUR budget"
    )


async def test_a_language_monitoring_does_not_speak_falls_back_to_english(
    monitoring: Monitoring,
) -> None:
    project_id = await _red_project(monitoring)
    answer = await monitoring.client.get(
        f"/v1/projects/{project_id}/health",
        headers={**monitoring.auth_header(), "Accept-Language": "de-DE, fr;q=0"},
    )
    assert answer.headers["content-language"] == "en"
    assert _by_code(answer.json()["reasons"])["cpi_below_threshold"].startswith("Cost performance")


async def test_the_at_risk_event_carries_each_reason_in_english_and_french(
    monitoring: Monitoring,
) -> None:
    await _red_project(monitoring)

    [at_risk] = [event for topic, event in await monitoring.outbox() if topic == "project.at_risk"]

    reasons = at_risk["data"]["reasons"]
    assert reasons
    for reason in reasons:
        # `message` stays English (the contract); `messages` has every language.
        assert set(reason["messages"]) == {"en", "fr"}
        assert reason["messages"]["en"] == reason["message"]
    cpi = next(r for r in reasons if r["code"] == "cpi_below_threshold")
    assert cpi["message"].startswith("Cost performance 0.85")
    assert cpi["messages"]["fr"].startswith("Indice de performance des coûts (CPI) de 0,85")


async def test_the_portfolio_roll_up_answers_in_french(monitoring: Monitoring) -> None:
    await _red_project(monitoring)

    answer = await monitoring.client.get("/v1/portfolio/health", headers=_french(monitoring))

    assert answer.status_code == 200
    assert answer.headers["content-language"] == "fr"
    # Its JSON depends on Accept (exports) and on Accept-Language: caches must know both.
    assert {"Accept", "Accept-Language"} <= set(answer.headers["vary"].split(", "))
    reasons = _by_code(answer.json()["reasons"])
    assert reasons["cpi_below_threshold"].startswith("Indice de performance des coûts (CPI)")


async def test_a_filed_report_answers_its_health_in_the_language_asked(
    monitoring: Monitoring,
) -> None:
    project = await monitoring.known_project()
    answer = await monitoring.client.post(
        f"/v1/projects/{project['project_id']}/status-reports",
        json=monitoring.report_body(**RED_REPORT),
        headers=_french(monitoring),
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["content-language"] == "fr"
    reasons = _by_code(answer.json()["health"]["reasons"])
    assert reasons["cpi_below_threshold"].startswith("Indice de performance des coûts (CPI)")


@pytest.fixture
async def french_by_default(
    monitoring_settings: MonitoringSettings,
) -> AsyncIterator[httpx.AsyncClient]:
    """The service with PMO_DEFAULT_LOCALE=fr."""
    app = create_app(monitoring_settings.model_copy(update={"default_locale": "fr"}))
    async with running(app), asgi_client(app, BASE_URL) as client:
        yield client


async def test_pmo_default_locale_is_the_language_of_a_request_without_preference(
    french_by_default: httpx.AsyncClient,
) -> None:
    answer = await french_by_default.get("/v1/glossary", headers=dev_auth_header())
    assert answer.headers["content-language"] == "fr"
    assert answer.json()["terms"][0]["name"] == "Valeur planifiée (PV)"
    # A request that asks for English still gets English.
    english = await french_by_default.get(
        "/v1/glossary", headers={**dev_auth_header(), "Accept-Language": "en"}
    )
    assert english.json()["terms"][0]["name"] == "Planned value (PV)"


def test_pmo_default_locale_must_be_a_language_monitoring_speaks() -> None:
    with pytest.raises(ValueError, match="PMO_DEFAULT_LOCALE must be one of en, fr"):
        MonitoringSettings.model_validate({"PMO_DEFAULT_LOCALE": "de"})
    assert MonitoringSettings.model_validate({"PMO_DEFAULT_LOCALE": "fr"}).default_locale == "fr"


async def test_the_portfolio_page_in_french(monitoring: Monitoring) -> None:
    await _red_project(monitoring)

    page = await monitoring.client.get("/ui/", headers=_french(monitoring))

    assert page.status_code == 200
    assert page.headers["content-language"] == "fr"
    assert '<html lang="fr">' in page.text
    assert "<h1>Santé du portefeuille</h1>" in page.text
    assert '<span class="rag rag-red">Rouge</span>' in page.text
    # Figures the French way: the roll-up's money and its CPI.
    assert "58\u202f823,53\u00a0€" in page.text
    assert "0,85" in page.text
    assert 'href="/ui/glossary#cpi"' in page.text


async def test_the_project_page_in_french_quotes_the_reasons_in_french(
    monitoring: Monitoring,
) -> None:
    project_id = await _red_project(monitoring)

    page = await monitoring.client.get(f"/ui/projects/{project_id}", headers=_french(monitoring))

    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Pourquoi il est rouge" in page.text
    assert "Indice de performance des coûts (CPI) de 0,85" in page.text
    assert "Cost performance" not in page.text
    assert 'href="/ui/glossary#cpi_below_threshold"' in page.text


async def test_a_refused_page_in_french_says_why_in_french(monitoring: Monitoring) -> None:
    theirs = await monitoring.known_project(manager="grace@example.com")
    page = await monitoring.client.get(
        f"/ui/projects/{theirs['project_id']}",
        headers={**monitoring.auth_header("project_manager", "ada@example.com"), **FRENCH},
    )
    assert page.status_code == 403
    assert "Vous ne pouvez pas ouvrir cette page" in page.text
    assert "que des projets que vous gérez" in page.text


async def test_notes_are_said_in_the_language_asked_too(monitoring: Monitoring) -> None:
    project = await monitoring.known_project()  # no report yet

    answer = await monitoring.client.get(
        f"/v1/projects/{project['project_id']}/health", headers=_french(monitoring)
    )

    health = answer.json()
    assert "Aucun rapport d'avancement n'a encore été reçu" in " ".join(health["notes"])
    assert health["forecast"]["message"].startswith("Pas encore de prévision")
