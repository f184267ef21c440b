"""The pure rules of escalation: when each step is due, whom it tells, who owns a case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pmo_notifications.domain import escalation_ladder as rules
from pmo_notifications.domain.escalation_ladder import (
    EscalationLevel,
    EscalationPolicy,
    LadderPosition,
    PeopleOfProject,
)
from pmo_notifications.domain.intervention_owners import (
    InterventionFact,
    InterventionOwner,
    owner_after,
)
from pmo_notifications.handlers.wordings import MessageLanguages

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def policy(*waits: int, repeat: int = 0) -> EscalationPolicy:
    levels = tuple(
        EscalationLevel(wait, (f"level{index}@example.com",)) for index, wait in enumerate(waits, 1)
    )
    return EscalationPolicy("p", "Ladder", None, levels, repeat, T0, T0)


def walk(ladder: EscalationPolicy, opened_at: datetime) -> list[LadderPosition]:
    """Every position the ladder passes through, each step taken the moment it is due."""
    position = LadderPosition(0, 0, rules.first_escalation_at(ladder, opened_at=opened_at))
    seen = []
    while position.next_escalation_at is not None and rules.can_climb(ladder, position):
        position = rules.climb(ladder, position, at=position.next_escalation_at)
        seen.append(position)
    return seen


def test_each_level_is_due_its_wait_after_the_previous_step() -> None:
    steps = walk(policy(60, 300, 900), T0)
    assert [(step.level, step.repeats_done) for step in steps] == [(1, 0), (2, 0), (3, 0)]
    assert [step.next_escalation_at for step in steps] == [
        T0 + timedelta(seconds=60 + 300),
        T0 + timedelta(seconds=60 + 300 + 900),
        None,
    ]


def test_a_late_step_counts_the_next_wait_from_when_it_was_taken() -> None:
    ladder = policy(60, 300)
    late = T0 + timedelta(hours=1)
    reached = rules.climb(ladder, LadderPosition(0, 0, T0 + timedelta(seconds=60)), at=late)
    assert reached == LadderPosition(1, 0, late + timedelta(seconds=300))


def test_repeats_start_again_from_level_one_a_bounded_number_of_times() -> None:
    steps = walk(policy(10, 20, repeat=2), T0)
    assert [(step.level, step.repeats_done) for step in steps] == [
        (1, 0),
        (2, 0),
        (1, 1),
        (2, 1),
        (1, 2),
        (2, 2),
    ]
    assert steps[-1].next_escalation_at is None
    assert not rules.can_climb(policy(10, 20, repeat=2), steps[-1])


def test_a_policy_shortened_under_a_climbing_alert_reads_its_new_last_level_as_the_top() -> None:
    shortened = policy(60)
    assert not rules.can_climb(shortened, LadderPosition(3, 0, T0))
    assert rules.climb(policy(60, repeat=1), LadderPosition(3, 0, T0), at=T0) == LadderPosition(
        1, 1, None
    )


def test_a_silence_holds_the_step_until_it_ends_looking_again_every_few_minutes() -> None:
    assert rules.held_until(T0 + timedelta(minutes=2), now=T0) == T0 + timedelta(minutes=2)
    assert rules.held_until(T0 + timedelta(days=2), now=T0) == T0 + timedelta(minutes=5)


def test_targets_resolve_keywords_keep_addresses_and_tell_nobody_twice() -> None:
    people = PeopleOfProject(
        manager="ada@example.com",
        sponsor=None,
        intervention_owner="Carla@Example.com",
        pmo=["pmo-desk@example.com", "ada@example.com"],
    )
    notify = ["sponsor", "manager", "intervention_owner", "pmo", "carla@example.com", "x@y.org"]
    assert rules.escalation_targets(notify, people) == (
        "ada@example.com",
        "Carla@Example.com",
        "pmo-desk@example.com",
        "x@y.org",
    )


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (61, "1 minute 1 second"),
        (7260, "2 hours 1 minute"),
        (90000, "1 day 1 hour"),
    ],
)
def test_durations_read_as_people_say_them(seconds: int, said: str) -> None:
    assert (
        rules.plain_duration(MessageLanguages().wording("en"), timedelta(seconds=seconds)) == said
    )


def test_durations_read_as_french_readers_say_them() -> None:
    french = MessageLanguages().wording("fr")
    assert rules.plain_duration(french, timedelta(seconds=90000)) == "1 jour 1 heure"
    assert rules.plain_duration(french, timedelta(seconds=7320)) == "2 heures 2 minutes"


def fact(case: str, owner: str | None, minute: int, *, closed: bool = False) -> InterventionFact:
    return InterventionFact("p", case, owner, closed, T0 + timedelta(minutes=minute))


def apply_all(*facts: InterventionFact) -> InterventionOwner | None:
    current: InterventionOwner | None = None
    for each in facts:
        current = owner_after(current, each) or current
    return current


def test_the_owner_follows_assignments_in_their_order_whatever_their_arrival() -> None:
    in_order = apply_all(fact("i1", None, 0), fact("i1", "a@x.org", 1), fact("i1", "b@x.org", 2))
    shuffled = apply_all(fact("i1", "b@x.org", 2), fact("i1", "a@x.org", 1), fact("i1", None, 0))
    assert in_order is not None and shuffled is not None
    assert in_order.current_owner == shuffled.current_owner == "b@x.org"


def test_a_closed_case_has_no_owner_and_stays_closed() -> None:
    closed = apply_all(fact("i1", "a@x.org", 1), fact("i1", None, 5, closed=True))
    assert closed is not None and closed.current_owner is None
    late_assignment = owner_after(closed, fact("i1", "b@x.org", 9))
    assert late_assignment is None


def test_a_newer_case_of_the_project_replaces_an_older_one_and_not_the_reverse() -> None:
    current = apply_all(fact("i1", "a@x.org", 1), fact("i1", None, 5, closed=True))
    reopened = apply_all(
        fact("i1", "a@x.org", 1), fact("i1", None, 5, closed=True), fact("i2", "b@x.org", 9)
    )
    assert reopened is not None and reopened.current_owner == "b@x.org"
    assert current is not None
    assert owner_after(reopened, fact("i1", "old@x.org", 2)) is None
