"""What a digest says and how it reads (pure): the daily digest of a project manager, the weekly
roll-up of a portfolio manager, and their plain-text and HTML e-mail parts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from pmo_notifications.domain.digest_content import (
    DigestAlert,
    DigestFrame,
    OpenAction,
    PortfolioOwned,
    daily_digest,
    digest_projects,
    weekly_digest,
)
from pmo_notifications.domain.digest_email import compose_digest_email
from pmo_notifications.domain.digest_rollup import colour_counts, summed_figures, top_reasons
from pmo_notifications.domain.project_projection import HealthChange, ProjectRecord
from pmo_notifications.domain.reason_line import ReasonLine
from pmo_notifications.handlers.wordings import MessageLanguages

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
ADA = "ada@example.com"
HOSTILE = '<script>alert("x")</script> & Co'
ENGLISH = MessageLanguages().wording("en")


def project(name: str, rag: str | None, **changes: Any) -> ProjectRecord:
    values: dict[str, Any] = {
        "id": f"p-{name.lower()}",
        "name": name,
        "manager": ADA,
        "sponsor": None,
        "portfolio_id": "pf-1",
        "status": "active",
        "version": 1,
        "rag": rag,
    }
    return ProjectRecord(**(values | changes))


def change(project_id: str, previous: str | None, rag: str, hours_ago: int) -> HealthChange:
    return HealthChange(
        project_id=project_id,
        previous_rag=previous,
        rag=rag,
        as_of=TODAY,
        health_version=None,
        changed_at=NOW - timedelta(hours=hours_ago),
        reason_codes=(),
    )


def frame(since: datetime = NOW - timedelta(days=1)) -> DigestFrame:
    return DigestFrame(ADA, "2026-03-02", since, "Europe/Berlin", TODAY)


def alert(project_id: str, kind: str, severity: str, title: str) -> DigestAlert:
    name = project_id.removeprefix("p-").capitalize()
    return DigestAlert(project_id, name, kind, severity, "open", title, NOW - timedelta(days=2))


def test_a_daily_digest_lists_projects_changes_alerts_missed_reports_and_actions_due() -> None:
    apollo, zephyr = project("Apollo", "red"), project("Zephyr", "green")
    shown = digest_projects(
        [apollo, zephyr],
        [change(apollo.id, "amber", "red", 2), change(apollo.id, "green", "amber", 20)],
    )
    digest = daily_digest(
        frame(),
        shown,
        [
            alert(zephyr.id, "report_overdue", "warning", "Status report overdue"),
            alert(apollo.id, "early_warning", "warning", "CPI trend"),
            alert(apollo.id, "at_risk", "critical", "Apollo is at risk"),
            alert("someone-elses", "at_risk", "critical", "Not Ada's"),
        ],
        [
            OpenAction(apollo.id, "Re-plan", "grace@example.com", TODAY - timedelta(days=3)),
            OpenAction(apollo.id, "Hire", None, TODAY + timedelta(days=7)),
            OpenAction(apollo.id, "Far away", None, TODAY + timedelta(days=8)),
            OpenAction("someone-elses", "Not Ada's", None, TODAY),
        ],
    )
    assert [(p.name, p.rag) for p in digest.projects] == [("Apollo", "red"), ("Zephyr", "green")]
    assert [(c.previous_rag, c.rag) for c in digest.projects[0].changes] == [
        ("green", "amber"),
        ("amber", "red"),
    ]
    assert digest.projects[1].changes == ()
    # Critical first; a missed report is listed as such, not among the alerts.
    assert [a.title for a in digest.alerts] == ["Apollo is at risk", "CPI trend"]
    assert [a.title for a in digest.overdue_reports] == ["Status report overdue"]
    assert [(a.title, a.days_overdue, a.project_name) for a in digest.actions] == [
        ("Re-plan", 3, "Apollo"),
        ("Hire", 0, "Apollo"),
    ]
    assert digest.has_news


def test_green_projects_with_nothing_new_or_waiting_are_no_news() -> None:
    quiet = daily_digest(frame(), digest_projects([project("Zephyr", "green")], []), [], [])
    assert not quiet.has_news
    changed = digest_projects(
        [project("Zephyr", "green")], [change("p-zephyr", "amber", "green", 1)]
    )
    assert daily_digest(frame(), changed, [], []).has_news


def test_a_project_without_health_yet_is_unknown() -> None:
    (shown,) = digest_projects([project("New", None)], [])
    assert shown.rag == "unknown"


def figures(ev: float, pv: float, ac: float, bac: float, eac: float | None) -> dict[str, Any]:
    return {"ev": ev, "pv": pv, "ac": ac, "bac": bac, "eac": eac, "cpi": 9.9}


def test_the_roll_up_sums_the_money_and_computes_the_indices_from_the_sums() -> None:
    projects = [
        project("A", "red", metrics=figures(100, 200, 125, 1000, 1250)),
        project("B", "green", metrics=figures(300, 300, 300, 1000, None)),  # EAC unknown: BAC
        project("C", "amber", metrics={"ev": 50, "pv": 60, "ac": None, "bac": 100}),  # no AC
        project("D", None),
    ]
    summed = summed_figures(projects)
    assert (summed.projects_with_figures, summed.ev, summed.pv, summed.ac) == (2, 400, 500, 425)
    assert (summed.bac, summed.eac) == (2000, 2250)
    # From the sums (400/425 and 400/500), not the mean of the projects' indices.
    assert summed.cpi == 400 / 425
    assert summed.spi == 400 / 500
    assert colour_counts(projects) == {"red": 1, "amber": 1, "green": 1, "unknown": 1}
    nothing = summed_figures([project("D", None)])
    assert (nothing.cpi, nothing.spi, nothing.ev) == (None, None, 0)


def reasons(*codes: str) -> tuple[ReasonLine, ...]:
    return tuple(ReasonLine(code=code, message=code) for code in codes)


def test_top_reasons_are_the_codes_most_amber_and_red_projects_share() -> None:
    projects = [
        project("A", "red", reasons=reasons("cpi_below_threshold", "spi_below_threshold")),
        project("B", "amber", reasons=reasons("cpi_below_threshold", "cpi_below_threshold")),
        project("C", "amber", reasons=reasons("milestone_late")),
        project("D", "green", reasons=reasons("milestone_late", "milestone_late")),
    ]
    ranked = [(r.code, r.count) for r in top_reasons(projects)]
    assert ranked == [
        ("cpi_below_threshold", 2),
        ("milestone_late", 1),
        ("spi_below_threshold", 1),
    ]
    assert len(top_reasons(projects, limit=1)) == 1


def test_a_weekly_digest_rolls_up_each_owned_portfolio_and_the_colour_changes() -> None:
    apollo = project("Apollo", "red", metrics=figures(100, 200, 125, 1000, 1250))
    zephyr = project("Zephyr", "green", portfolio_id="pf-2")
    elsewhere = project("Elsewhere", "red", portfolio_id="pf-other")
    projects = [apollo, zephyr, elsewhere]
    changes = [change(apollo.id, "green", "amber", 100), change(apollo.id, "amber", "red", 10)]
    digest = weekly_digest(
        frame(NOW - timedelta(days=7)),
        [PortfolioOwned("pf-2", "Zeta"), PortfolioOwned("pf-1", "Alpha")],
        projects,
        digest_projects(projects, changes),
    )
    assert [p.name for p in digest.portfolios] == ["Alpha", "Zeta"]
    alpha, zeta = digest.portfolios
    assert (alpha.project_count, alpha.colours["red"], alpha.figures.cpi) == (1, 1, 0.8)
    assert [(s.project_name, s.from_rag, s.to_rag) for s in alpha.colour_changes] == [
        ("Apollo", "green", "red")
    ]
    assert (zeta.project_count, zeta.colours["green"], zeta.colour_changes) == (1, 1, ())
    assert [p.name for p in digest.projects] == ["Apollo", "Zephyr"]
    assert digest.has_news


class _Html(HTMLParser):
    """The tags, the inline styles and the text of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> _Html:
    parser = _Html()
    parser.feed(html)
    return parser


def ada_daily() -> Any:
    apollo = project("Apollo", "red")
    hostile = project(HOSTILE, "amber", id="p-hostile")
    return daily_digest(
        frame(),
        digest_projects([apollo, hostile], [change(apollo.id, "amber", "red", 2)]),
        [alert(apollo.id, "at_risk", "critical", "Apollo is at risk")],
        [OpenAction(apollo.id, "Re-plan", "grace@example.com", TODAY - timedelta(days=3))],
    )


def test_the_daily_e_mail_says_colours_in_words_in_text_and_html_alike() -> None:
    email = compose_digest_email(ENGLISH, ada_daily())
    assert email.subject == (
        "[PMO] Daily digest 2026-03-02: 1 red, 1 amber of 2 projects, 1 open alert"
    )
    text = email.body
    assert "  - Apollo: RED; AMBER to RED on Mar 2, 2026, 05:00" in text  # Berlin time
    assert "Times are in Europe/Berlin." in text
    assert "  - Apollo: CRITICAL; Apollo is at risk; open since Feb 28, 2026, 07:00" in text
    assert "  - Apollo: Re-plan; owner grace@example.com; due Feb 27, 2026 (3 days overdue)" in text
    assert email.html is not None
    html = parsed(email.html)
    assert {"table", "th", "td"} <= set(html.tags)
    words = " ".join(html.text)
    for said in ("Apollo", "RED", "AMBER to RED on Mar 2, 2026, 05:00", "3 days overdue"):
        assert said in words and said in text


def test_the_html_part_paints_each_colour_next_to_its_label_with_inline_styles_only() -> None:
    email = compose_digest_email(ENGLISH, ada_daily())
    assert email.html is not None
    red_cell = re.search(r'<td bgcolor="(#[0-9a-f]{6})" style="([^"]*)">RED</td>', email.html)
    assert red_cell is not None
    assert f"background-color:{red_cell.group(1)}" in red_cell.group(2)
    html = parsed(email.html)
    assert not {"script", "style", "link", "img", "iframe", "form"} & set(html.tags)
    assert not [name for name, _ in html.attributes if name.startswith("on")]
    assert "javascript:" not in email.html.lower()


def test_names_people_typed_are_escaped_in_the_html_and_kept_in_the_text() -> None:
    email = compose_digest_email(ENGLISH, ada_daily())
    assert email.html is not None
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in email.html
    assert HOSTILE in " ".join(parsed(email.html).text)
    assert f"  - {HOSTILE}: AMBER; no change" in email.body


def test_the_weekly_e_mail_lists_counts_figures_changes_and_top_reasons() -> None:
    apollo = project(
        "Apollo",
        "red",
        metrics=figures(100, 200, 125, 1000, 1250),
        reasons=reasons("cpi_below_threshold"),
    )
    digest = weekly_digest(
        frame(NOW - timedelta(days=7)),
        [PortfolioOwned("pf-1", "Alpha")],
        [apollo],
        digest_projects([apollo], [change(apollo.id, "amber", "red", 10)]),
    )
    email = compose_digest_email(ENGLISH, digest)
    assert email.subject == "[PMO] Weekly digest 2026-03-02 (Alpha): 1 red of 1 project"
    for line in (
        "Portfolio Alpha: 1 active project:",
        "  - RED: 1",
        "  - GREEN: 0",
        "  - CPI: 0.80",
        "  - SPI: 0.50",
        "  - EAC: 1,250",
        "  - Apollo: from AMBER; to RED",
        "  - cpi_below_threshold: 1",
    ):
        assert line in email.body
    assert email.html is not None and "Top reasons in Alpha" in email.html


FRENCH = MessageLanguages().wording("fr")
# French typography: a no-break space before a colon, a narrow one before a semicolon and
# between thousands.
NBSP, NNBSP = "\u00a0", "\u202f"


def test_the_daily_digest_reads_in_french_in_text_and_html_alike() -> None:
    email = compose_digest_email(FRENCH, ada_daily())
    assert email.subject == (
        f"[PMO] Résumé quotidien 2026-03-02{NBSP}: 1 rouge, 1 orange sur 2 projets, "
        "1 alerte ouverte"
    )
    text = email.body
    assert text.startswith("Bonjour,\n") and f"Vos projets{NBSP}:" in text
    assert f"  - Apollo{NBSP}: ROUGE{NNBSP}; de ORANGE à ROUGE le 2 mars 2026 à 05:00" in text
    assert "échéance 27 févr. 2026 (3 jours de retard)" in text
    assert "Les heures sont données dans le fuseau Europe/Berlin." in text
    assert email.html is not None and '<html lang="fr">' in email.html
    assert re.search(r'<td bgcolor="#c5221f" style="[^"]*">ROUGE</td>', email.html)
    words = " ".join(parsed(email.html).text)
    for said in ("Vos projets", "Alertes ouvertes", "de ORANGE à ROUGE le 2 mars 2026 à 05:00"):
        assert said in words


def test_the_weekly_sums_are_money_of_the_portfolio_currency_as_each_language_writes_it() -> None:
    def weekly(*currencies: str) -> Any:
        members = [
            project(f"P{n}", "red", currency=currency, metrics=figures(100, 200, 125, 1000, 1250))
            for n, currency in enumerate(currencies)
        ]
        return weekly_digest(
            frame(NOW - timedelta(days=7)),
            [PortfolioOwned("pf-1", "Alpha")],
            members,
            digest_projects(members, []),
        )

    euros = weekly("EUR", "EUR")
    assert "  - EAC: €2,500.00" in compose_digest_email(ENGLISH, euros).body
    assert f"  - EAC{NBSP}: 2{NNBSP}500,00{NBSP}€" in compose_digest_email(FRENCH, euros).body
    # Two currencies cannot be summed as money: the plain sum, as each language groups digits.
    mixed = weekly("EUR", "USD")
    assert "  - EAC: 2,500\n" in compose_digest_email(ENGLISH, mixed).body
    assert f"  - EAC{NBSP}: 2{NNBSP}500\n" in compose_digest_email(FRENCH, mixed).body
