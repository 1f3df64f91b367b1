"""Pairings (结对子) and the reactions to the registry's person events (unit tests, in-memory store): each
reaction is idempotent, so every event below is delivered twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from outreach.application import OutreachApplication
from outreach.domain.pairings import EndReason, Pairing, PairingEnded
from outreach.domain.schedule import ContactFile
from outreach.domain.todo import AlreadyDone, TodoItem
from vet_common.auth import Principal, Role
from vet_common.domain import Actor, Invalid, NotFound
from vet_contracts import IntegrationEvent
from vet_devtools.testing.people import RegistryFeed

A = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"
B = "7c0d3f4e-1a2b-4c5d-8e9f-0a1b2c3d4e5f"
PLAIN = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"
ACTOR = Actor(sub="officer-1", role="officer")
COUNTY = Principal(sub="officer-1", name="李明", roles=frozenset({Role.officer}), region="350102")


@pytest.fixture
def people(feed: RegistryFeed, deliver: Callable[..., None]) -> RegistryFeed:
    """A and B key contacts in 鼓楼区 (designated on registration, 2026-08-01); PLAIN not a key contact."""
    deliver(
        feed.registered(A, "350102001001", key_contact_reasons=["serious_illness"]),
        feed.registered(B, "350102002001", key_contact_reasons=["living_in_difficulty"]),
        feed.registered(PLAIN, "350102001001"),
    )
    return feed


def twice(deliver: Callable[..., None], event: IntegrationEvent) -> None:
    deliver(event, event)  # a redelivery changes nothing


def file_of(app: OutreachApplication, person_id: str) -> ContactFile:
    file = app.get_or_none(ContactFile.create_id(person_id))
    assert isinstance(file, ContactFile)
    return file


def pairing(app: OutreachApplication, pairing_id: UUID) -> Pairing:
    found = app.get_pairing(pairing_id)
    assert found is not None
    return found


def pair(app: OutreachApplication, *person_ids: str, staff: str = "s1") -> list[UUID]:
    return app.pair(staff=staff, person_ids=[UUID(p) for p in person_ids], principal=COUNTY, actor=ACTOR)


def test_a_key_contacts_file_opens_when_they_are_registered_as_one(
    app: OutreachApplication, people: RegistryFeed
) -> None:
    file = file_of(app, A)
    assert (file.under_rules, file.key_contact_since, file.region) == (True, date(2026, 8, 1), "350102001001")
    assert app.get_or_none(ContactFile.create_id(PLAIN)) is None  # nothing to schedule


def test_one_staff_member_paired_with_many_people(app: OutreachApplication, people: RegistryFeed) -> None:
    ids = pair(app, A, B)
    assert [(pairing(app, i).person_id, pairing(app, i).staff) for i in ids] == [(A, "s1"), (B, "s1")]
    assert file_of(app, A).pairing == (str(ids[0]), "s1")


def test_a_person_already_paired_or_not_a_key_contact_is_refused_and_nobody_is_paired(
    app: OutreachApplication, people: RegistryFeed, recorded: Callable[[], int]
) -> None:
    pair(app, A)
    before = recorded()
    with pytest.raises(Invalid) as paired:
        pair(app, B, A, staff="s2")
    assert paired.value.field == "person_ids.1"
    assert "已与 s1 结对" in paired.value.message
    with pytest.raises(Invalid) as plain:
        pair(app, PLAIN)
    assert "不是重点联系对象" in plain.value.message
    assert recorded() == before
    assert file_of(app, B).pairing is None


def test_ending_and_reassigning(app: OutreachApplication, people: RegistryFeed) -> None:
    (first,) = pair(app, A)
    second = app.reassign_pairing(first, staff="s2", principal=COUNTY, actor=ACTOR, expected_version=1)
    assert (pairing(app, first).end_reason, pairing(app, second).staff) == ("reassigned", "s2")
    assert file_of(app, A).pairing == (str(second), "s2")
    app.end_pairing(second, reason=EndReason.staff_left, principal=COUNTY, actor=ACTOR)
    assert file_of(app, A).pairing is None
    with pytest.raises(PairingEnded):
        app.end_pairing(second, reason=EndReason.other, principal=COUNTY, actor=ACTOR)


def test_a_pairing_outside_the_jurisdiction_cannot_be_ended_or_reassigned_and_nothing_is_recorded(
    app: OutreachApplication, people: RegistryFeed, recorded: Callable[[], int]
) -> None:
    (paired,) = pair(app, A)
    taijiang = Principal(sub="officer-2", name="周", roles=frozenset({Role.officer}), region="350103")
    before = recorded()
    with pytest.raises(NotFound, match="不在本辖区"):
        app.end_pairing(paired, reason=EndReason.other, principal=taijiang, actor=ACTOR)
    with pytest.raises(NotFound, match="不在本辖区"):
        app.reassign_pairing(paired, staff="s2", principal=taijiang, actor=ACTOR)
    with pytest.raises(Invalid) as outside:
        app.pair(staff="s2", person_ids=[UUID(B)], principal=taijiang, actor=ACTOR)
    assert outside.value.field == "person_ids.0"
    assert recorded() == before
    assert pairing(app, paired).open


def test_a_death_ends_the_pairing_and_takes_the_person_out_of_the_rules(
    app: OutreachApplication, people: RegistryFeed, deliver: Callable[..., None]
) -> None:
    (paired,) = pair(app, A)
    twice(deliver, people.died(A, died_on="2026-08-20"))
    ended = pairing(app, paired)
    assert (ended.end_reason, ended.ended_on, ended.version) == ("deceased", date(2026, 8, 1), 2)
    assert file_of(app, A).under_rules is False
    assert file_of(app, A).pairing is None


def test_a_transfer_ends_the_pairing_proposed_to_the_receiving_county_and_moves_the_file(
    app: OutreachApplication, people: RegistryFeed, deliver: Callable[..., None]
) -> None:
    (paired,) = pair(app, A)
    twice(deliver, people.transferred(A, "350103001002"))
    ended = pairing(app, paired)
    assert ended.end_reason == "transferred"
    events = list(app.events.get(paired))
    assert isinstance(events[-1], Pairing.Ended)
    assert events[-1].proposed_to == "350103"
    file = file_of(app, A)
    assert (file.region, file.under_rules, file.pairing) == ("350103001002", True, None)


def test_designation_and_removal_add_and_remove_the_person_from_the_rules(
    app: OutreachApplication, people: RegistryFeed, deliver: Callable[..., None]
) -> None:
    twice(deliver, people.event("KeyContactDesignated", PLAIN, key_contact_reasons=["aged_80"]))
    assert file_of(app, PLAIN).under_rules is True
    (paired,) = pair(app, PLAIN)
    twice(deliver, people.event("KeyContactRemoved", PLAIN, key_contact_reasons=[]))
    assert file_of(app, PLAIN).under_rules is False
    assert pairing(app, paired).end_reason == "no_longer_key_contact"


def test_a_removal_of_one_reason_of_two_keeps_the_person_and_the_pairing(
    app: OutreachApplication, people: RegistryFeed, deliver: Callable[..., None]
) -> None:
    twice(deliver, people.event("KeyContactDesignated", A, key_contact_reasons=["serious_illness", "aged_80"]))
    (paired,) = pair(app, A)
    twice(deliver, people.event("KeyContactRemoved", A, key_contact_reasons=["aged_80"]))
    assert file_of(app, A).key_contact_reasons == ["aged_80"]
    assert pairing(app, paired).open


def test_an_eligibility_alert_becomes_one_to_do_item_however_often_it_arrives(
    app: OutreachApplication,
    people: RegistryFeed,
    deliver: Callable[..., None],
    recorded: Callable[[], int],
    eligibility_alert: Callable[..., IntegrationEvent],
) -> None:
    raised = eligibility_alert(A, "350102001001", "turning_60_rural", "2026-10-01", position=100)
    twice(deliver, raised)
    before = recorded()
    deliver(eligibility_alert(A, "350102001001", "turning_60_rural", "2026-10-01", position=101))  # republished
    assert recorded() == before
    item = app.get_or_none(TodoItem.create_id("a-1"))  # one item per alert
    assert isinstance(item, TodoItem)
    assert (item.person_id, item.kind, item.due_on) == (A, "turning_60_rural", date(2026, 10, 1))
    app.mark_todo_done(item.id, principal=COUNTY, actor=ACTOR)
    with pytest.raises(AlreadyDone):
        app.mark_todo_done(item.id, principal=COUNTY, actor=ACTOR)


def test_a_to_do_item_moves_with_a_transferred_person_and_is_cancelled_when_they_die(
    app: OutreachApplication,
    people: RegistryFeed,
    deliver: Callable[..., None],
    eligibility_alert: Callable[..., IntegrationEvent],
) -> None:
    deliver(eligibility_alert(A, "350102001001", "turning_80", "2026-10-01", alert_id="a-1"))
    deliver(eligibility_alert(B, "350102002001", "turning_80", "2026-10-01", position=51, alert_id="a-2"))
    first, second = (app.get_or_none(TodoItem.create_id(alert)) for alert in ("a-1", "a-2"))
    assert isinstance(first, TodoItem)
    assert isinstance(second, TodoItem)
    app.mark_todo_done(second.id, principal=COUNTY, actor=ACTOR)
    twice(deliver, people.transferred(A, "350103001002"))
    twice(deliver, people.transferred(B, "350103001002"))
    moved = app.get_or_none(first.id)
    assert (moved.region, moved.status, moved.version) == ("350103001002", "open", 2)  # moved once
    assert app.get_or_none(second.id).region == "350102002001"  # done already: stays where it was done
    with pytest.raises(NotFound):
        app.mark_todo_done(first.id, principal=COUNTY, actor=ACTOR)  # the old side no longer sees it
    twice(deliver, people.died(A, "2026-08-20"))
    cancelled = app.get_or_none(first.id)
    assert (cancelled.status, cancelled.version) == ("cancelled", 3)
    taijiang = Principal(sub="officer-2", name="周", roles=frozenset({Role.officer}), region="350103")
    with pytest.raises(AlreadyDone, match="已取消"):
        app.mark_todo_done(first.id, principal=taijiang, actor=ACTOR)
