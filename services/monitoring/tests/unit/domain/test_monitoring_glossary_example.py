"""The glossary's worked example adds up with the figures it prints (indices to two decimals)."""

from __future__ import annotations

import re

import pytest
from pmo_monitoring.domain.glossary import glossary
from pmo_monitoring.domain.model import Thresholds

FIGURE = r"(-?[\d,]+(?:\.\d+)?)"


def _printed(text: str, pattern: str) -> list[float]:
    found = re.fullmatch(pattern.format(n=FIGURE), text)
    assert found is not None, text
    return [float(group.replace(",", "")) for group in found.groups()]


def _examples(thresholds: Thresholds) -> dict[str, str]:
    return {term.key: str(term.example) for term in glossary(thresholds).terms}


@pytest.mark.parametrize(
    "thresholds",
    [
        Thresholds(),
        Thresholds(cpi_amber=0.85, cpi_red=0.75, eac_amber_ratio=1.1, eac_red_ratio=1.25),
        Thresholds(cpi_amber=0.97, cpi_red=0.93, spi_amber=0.9, spi_red=0.8),
    ],
    ids=["defaults", "lenient-cost", "strict-cost"],
)
def test_eac_is_the_printed_budget_over_the_printed_cpi(thresholds: Thresholds) -> None:
    examples = _examples(thresholds)
    bac, cpi, eac = _printed(examples["eac"], "EAC = {n} EUR / {n} = {n} EUR.")
    assert round(bac / cpi) == eac
    ev, ac, cpi_again = _printed(examples["cpi"], "CPI = {n} EUR / {n} EUR = {n}.")
    assert cpi_again == cpi
    # The index behind the print is the printed one (AC is in cents), not 0.846 shown as 0.85.
    assert ev / ac == pytest.approx(cpi, abs=1e-4)


def test_the_default_example_reads_as_documented() -> None:
    examples = _examples(Thresholds())
    assert examples["cpi"] == "CPI = 42,500 EUR / 50,000 EUR = 0.85."
    assert examples["eac"] == "EAC = 100,000 EUR / 0.85 = 117,647 EUR."
