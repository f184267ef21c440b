"""GET /v1/glossary and /ui/glossary: every metric and reason code with its formula, meaning,
thresholds in force and a worked example computed by the rules, in English or French."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmo_common.messaging.event_applier import Outcome
from pmo_monitoring.domain.reasons import ReasonCode

if TYPE_CHECKING:
    from conftest import Monitoring

METRICS = {
    "pv",
    "ev",
    "ac",
    "bac",
    "cpi",
    "spi",
    "spi_t",
    "eac",
    "etc",
    "vac",
    "tcpi",
    "forecast_end_date",
}
FRENCH = {"Accept-Language": "fr"}


def _lenient() -> dict[str, Any]:
    return {
        "key": "lenient",
        "name": "Lenient",
        "version": 3,
        "phases": ["Do"],
        "report_cadence_days": 30,
        "thresholds": {"cpi_amber": 0.85, "cpi_red": 0.75, "eac_red_ratio": 1.25},
    }


async def _glossary(monitoring: Monitoring, headers: dict[str, str], **params: str) -> Any:
    answer = await monitoring.client.get(
        "/v1/glossary", params=params, headers={**monitoring.auth_header(), **headers}
    )
    assert answer.status_code == 200, answer.text
    return answer


def _terms(glossary: Any) -> dict[str, dict[str, Any]]:
    return {term["term"]: term for term in glossary["terms"]}


async def test_the_glossary_explains_every_metric_and_reason_code(monitoring: Monitoring) -> None:
    answer = await _glossary(monitoring, {})

    assert answer.headers["content-language"] == "en"
    glossary = answer.json()
    terms = _terms(glossary)
    assert set(terms) == METRICS | {str(code) for code in ReasonCode}
    assert {terms[key]["kind"] for key in METRICS} == {"metric"}
    for term in terms.values():
        assert term["name"] and term["formula"] and term["meaning"] and term["example"]
    cpi = terms["cpi"]
    assert (cpi["name"], cpi["formula"]) == ("Cost performance index (CPI)", "CPI = EV / AC")
    assert cpi["thresholds"] == "Amber below 0.95, red below 0.90."
    # The example's figures are the rules' own: EV 42,500 over AC 50,000.
    assert cpi["example"] == "CPI = 42,500 EUR / 50,000 EUR = 0.85."
    assert terms["pv"]["thresholds"] is None
    # A reason's example is the message the rules write for the example project.
    assert terms["cpi_below_threshold"]["example"].startswith("Cost performance 0.85: each EUR")
    assert terms["trend_warning"]["example"].startswith("At this trend CPI falls below 0.90")
    assert glossary["thresholds_source"] == "defaults"
    assert glossary["thresholds"]["cpi_red"] == 0.9


async def test_the_glossary_in_french(monitoring: Monitoring) -> None:
    answer = await _glossary(monitoring, FRENCH)

    assert answer.headers["content-language"] == "fr"
    glossary = answer.json()
    terms = _terms(glossary)
    assert terms["cpi"]["name"] == "Indice de performance des coûts (CPI)"
    assert terms["eac"]["name"] == "Estimation à l'achèvement (EAC)"
    assert terms["cpi"]["thresholds"] == "Orange en dessous de 0,95, rouge en dessous de 0,90."
    assert terms["cpi"]["example"] == "CPI = 42\u202f500,00\u00a0€ / 50\u202f000,00\u00a0€ = 0,85."
    assert terms["milestone_overdue"]["example"].startswith(
        "Le jalon «\u00a0Conception validée\u00a0» était prévu le 25 mars 2026"
    )
    assert terms["report_overdue"]["meaning"] == (
        "Le projet n'a pas envoyé le rapport d'avancement qu'il doit."
    )
    assert glossary["introduction"].startswith("Exemple détaillé\u00a0: un projet de 200 jours")


async def test_a_methodology_gives_its_thresholds_and_the_example_follows_them(
    monitoring: Monitoring,
) -> None:
    assert await monitoring.deliver("standards.methodology.published", _lenient()) == (
        Outcome.APPLIED
    )

    glossary = (await _glossary(monitoring, {}, methodology="lenient")).json()

    assert (glossary["methodology"], glossary["methodology_version"]) == ("lenient", 3)
    assert glossary["thresholds_source"] == "methodology"
    assert glossary["thresholds"]["cpi_red"] == 0.75
    terms = _terms(glossary)
    assert terms["cpi"]["thresholds"] == "Amber below 0.85, red below 0.75."
    assert "red above 125,000 EUR (25% over budget)" in terms["eac_over_budget"]["example"]
    assert "one is expected every 30 days" in terms["report_overdue"]["example"]
    # Progress and cost are set past these red limits, so the figures change with them.
    assert terms["cpi"]["example"] != "CPI = 42,500 EUR / 50,000 EUR = 0.85."
    assert terms["cpi_below_threshold"]["example"].endswith("red below 0.75.")


async def test_an_unknown_methodology_is_a_404_naming_it(monitoring: Monitoring) -> None:
    answer = await monitoring.client.get(
        "/v1/glossary", params={"methodology": "nope"}, headers=monitoring.auth_header()
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert "query.methodology" in problem["detail"]
    assert "nope" in problem["detail"]


async def test_one_term_of_the_glossary(monitoring: Monitoring) -> None:
    answer = await monitoring.client.get(
        "/v1/glossary/spi_t", headers={**monitoring.auth_header(), **FRENCH}
    )
    assert answer.status_code == 200
    term = answer.json()
    assert term["term"] == "spi_t"
    assert term["name"] == "Indice de performance des délais en temps (SPI(t))"

    missing = await monitoring.client.get("/v1/glossary/nope", headers=monitoring.auth_header())
    assert missing.status_code == 404
    assert "path.term" in missing.json()["detail"]


async def test_the_glossary_needs_a_token(monitoring: Monitoring) -> None:
    assert (await monitoring.client.get("/v1/glossary")).status_code == 401
    assert (await monitoring.client.get("/v1/glossary/cpi")).status_code == 401


async def test_the_glossary_page_in_french_has_an_anchor_per_term(monitoring: Monitoring) -> None:
    page = await monitoring.client.get(
        "/ui/glossary", headers={**monitoring.auth_header("project_manager"), **FRENCH}
    )
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "<h1>Glossaire</h1>" in page.text
    for key in METRICS | {str(code) for code in ReasonCode}:
        assert f'id="{key}"' in page.text
    assert "Indice de performance des coûts (CPI)" in page.text
