"""Report data quality: a report that takes back figures or history is refused unless it is a
correction with a note, and every version of a report stays readable as its revisions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pmo_stack.testkit import assert_problem

from .conftest import corrected, days

if TYPE_CHECKING:
    import httpx
    from conftest import Monitoring

OTHER_MANAGER = "bob@example.com"


def _url(project_id: str) -> str:
    return f"/v1/projects/{project_id}/status-reports"


async def _post(monitoring: Monitoring, project_id: str, body: dict[str, Any]) -> httpx.Response:
    return await monitoring.client.post(
        _url(project_id), json=body, headers=monitoring.auth_header()
    )


def _refused_fields(response: httpx.Response) -> dict[str, str]:
    assert_problem(response, 422)
    return {error["field"]: error["reason"] for error in response.json()["errors"]}


async def _reported(monitoring: Monitoring, **figures: Any) -> str:
    """A project with a report a week ago at 30 % and 50 000 spent; the project's id."""
    project_id: str = (await monitoring.known_project())["project_id"]
    week_ago = monitoring.report_body(
        as_of=days(-7).isoformat(), percent_complete=30, actual_cost=50000, **figures
    )
    await monitoring.file_report(project_id, week_ago)
    return project_id


@pytest.mark.parametrize(
    ("figures", "field", "said"),
    [
        (
            {"percent_complete": 10},
            "body.percent_complete",
            f"percent_complete 10 is below the 30 reported on {days(-7)}",
        ),
        (
            {"percent_complete": 40, "actual_cost": 1000},
            "body.actual_cost",
            f"actual_cost 1000 is below the 50000 reported on {days(-7)}",
        ),
    ],
    ids=["percent_complete", "actual_cost"],
)
async def test_a_figure_going_down_is_refused_naming_it(
    monitoring: Monitoring, figures: dict[str, Any], field: str, said: str
) -> None:
    project_id = await _reported(monitoring)

    response = await _post(monitoring, project_id, monitoring.report_body(**figures))

    refused = _refused_fields(response)
    assert list(refused) == [field]
    assert refused[field].startswith(said)
    assert "correction: true" in refused[field]
    assert "correction_note" in refused[field]
    assert (await monitoring.topics()).count("project.status_reported") == 1


async def test_a_same_day_report_is_judged_against_the_one_it_replaces(
    monitoring: Monitoring,
) -> None:
    project_id = await _reported(monitoring)
    await monitoring.file_report(
        project_id, monitoring.report_body(percent_complete=45, actual_cost=60000)
    )

    # Above last week's figures, below today's first report: still a step back.
    response = await _post(
        monitoring, project_id, monitoring.report_body(percent_complete=40, actual_cost=60000)
    )

    refused = _refused_fields(response)
    assert list(refused) == ["body.percent_complete"]
    assert "(the report it replaces)" in refused["body.percent_complete"]
    listed = (
        await monitoring.client.get(_url(project_id), headers=monitoring.auth_header())
    ).json()
    assert [item["percent_complete"] for item in listed["items"]] == [45, 30]


async def test_a_back_dated_report_is_refused_naming_as_of(monitoring: Monitoring) -> None:
    project_id = await _reported(monitoring)

    response = await _post(
        monitoring, project_id, monitoring.report_body(as_of=days(-10).isoformat())
    )

    refused = _refused_fields(response)
    assert list(refused) == ["body.as_of"]
    assert refused["body.as_of"].startswith(
        f"as_of {days(-10)} is before the latest report, as of {days(-7)}"
    )


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"correction": True}, "correction_note is required with correction: true"),
        (
            {"correction": True, "correction_note": "  \n "},
            "correction_note is required with correction: true",
        ),
        (
            {"correction_note": "Nothing to correct."},
            "correction_note is only accepted with correction: true",
        ),
    ],
    ids=["no note", "blank note", "note without correction"],
)
async def test_a_correction_needs_its_note(
    monitoring: Monitoring, extra: dict[str, Any], reason: str
) -> None:
    project_id = await _reported(monitoring)

    response = await _post(monitoring, project_id, monitoring.report_body(**extra))

    assert _refused_fields(response) == {"body.correction_note": reason}


async def test_a_correction_is_accepted_and_shown(monitoring: Monitoring) -> None:
    project_id = await _reported(monitoring)
    note = "The supplier's invoice was booked twice."

    filed = await monitoring.file_report(
        project_id,
        corrected(monitoring.report_body(percent_complete=10, actual_cost=1000), note),
    )

    assert (filed["correction"], filed["correction_note"]) == (True, note)
    assert (filed["percent_complete"], filed["actual_cost"]) == (10, 1000)
    read = await monitoring.client.get(
        f"{_url(project_id)}/{filed['id']}", headers=monitoring.auth_header()
    )
    assert (read.json()["correction"], read.json()["correction_note"]) == (True, note)


async def test_a_back_dated_correction_leaves_the_health_with_the_newest_report(
    monitoring: Monitoring,
) -> None:
    project_id = await _reported(monitoring)
    newest = await monitoring.file_report(project_id, monitoring.report_body())

    back_dated = await monitoring.file_report(
        project_id,
        corrected(monitoring.report_body(as_of=days(-10).isoformat(), percent_complete=20)),
    )

    assert back_dated["correction"] is True
    assert back_dated["health"]["last_report_id"] == newest["id"]
    assert (await monitoring.read_health(project_id))["last_report_id"] == newest["id"]


async def test_every_version_of_a_report_is_listed_oldest_first(monitoring: Monitoring) -> None:
    project_id = (await monitoring.known_project())["project_id"]
    first = await monitoring.file_report(
        project_id, monitoring.report_body(percent_complete=40, actual_cost=50000)
    )
    await monitoring.file_report(
        project_id,
        monitoring.report_body(percent_complete=45, actual_cost=50000),
        monitoring.auth_header("project_manager", "ada@example.com"),
    )
    note = "45 % counted the pilot twice."
    last = await monitoring.file_report(
        project_id, corrected(monitoring.report_body(percent_complete=42), note)
    )
    assert last["id"] == first["id"]
    url = f"{_url(project_id)}/{first['id']}/revisions"

    listed = (await monitoring.client.get(url, headers=monitoring.auth_header())).json()

    versions = listed["items"]
    assert [v["revision"] for v in versions] == [1, 2, 3]
    assert [v["percent_complete"] for v in versions] == [40, 45, 42]
    assert [(v["correction"], v["correction_note"]) for v in versions] == [
        (False, None),
        (False, None),
        (True, note),
    ]
    assert [v["reported_by"] for v in versions] == [
        "pmo@example.com",
        "ada@example.com",
        "pmo@example.com",
    ]
    assert {v["report_id"] for v in versions} == {first["id"]}
    assert versions[0]["filed_at"] <= versions[1]["filed_at"] <= versions[2]["filed_at"]
    assert versions[0]["milestones"] == first["milestones"]
    assert versions[0]["risks"] == first["risks"]
    assert listed["next_offset"] is None

    page = (
        await monitoring.client.get(url, params={"limit": 2}, headers=monitoring.auth_header())
    ).json()
    assert ([v["revision"] for v in page["items"]], page["next_offset"]) == ([1, 2], 2)


async def test_revisions_are_read_as_the_report_is(monitoring: Monitoring) -> None:
    project_id = await _reported(monitoring)
    listed = await monitoring.client.get(_url(project_id), headers=monitoring.auth_header())
    url = f"{_url(project_id)}/{listed.json()['items'][0]['id']}/revisions"

    assert (await monitoring.client.get(url)).status_code == 401
    other = monitoring.auth_header("project_manager", OTHER_MANAGER)
    assert_problem(await monitoring.client.get(url, headers=other), 403)
    own = monitoring.auth_header("project_manager", "ada@example.com")
    assert (await monitoring.client.get(url, headers=own)).status_code == 200
    assert_problem(
        await monitoring.client.get(
            f"{_url(project_id)}/nope/revisions", headers=monitoring.auth_header()
        ),
        404,
    )
    # A report of another project is not found under this one.
    elsewhere = (await monitoring.known_project())["project_id"]
    assert_problem(
        await monitoring.client.get(
            url.replace(project_id, elsewhere), headers=monitoring.auth_header()
        ),
        404,
    )
