"""Recording, correcting and withdrawing contacts (unit tests on an in-memory store): refusals record nothing,
and the person's contact file counts exactly the contacts that stand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from outreach.application import OutreachApplication
from outreach.application.contacts import ContactDetails
from outreach.domain.contacts import Contact, ContactMethod, ContactWithdrawn
from outreach.domain.schedule import ContactFile
from vet_common.auth import Principal, Role
from vet_common.domain import Actor, Invalid, NotFound, PreconditionFailed
from vet_common.people import NotYetKnown, PersonDeceased
from vet_devtools.testing.people import RegistryFeed

A = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"
B = "7c0d3f4e-1a2b-4c5d-8e9f-0a1b2c3d4e5f"
C = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"
ACTOR = Actor(sub="s1", role="station_staff")
STAFF = Principal(sub="s1", name="李明", roles=frozenset({Role.station_staff}), region="350102")


def details(method: str = "home_visit", on: date = date(2026, 8, 20), **more: object) -> ContactDetails:
    return ContactDetails(method=method, contacted_on=on, staff="s1", findings="生活稳定", **more)  # type: ignore[arg-type]


@pytest.fixture
def people(feed: RegistryFeed, deliver: Callable[..., None]) -> RegistryFeed:
    """A and B registered on 2026-08-01 in 鼓楼区, A a key contact; C in 台江区."""
    deliver(
        feed.registered(A, "350102001001", key_contact_reasons=["serious_illness"]),
        feed.registered(B, "350102002001"),
        feed.registered(C, "350103001001"),
    )
    return feed


def file_of(app: OutreachApplication, person_id: str) -> ContactFile:
    file = app.get_or_none(ContactFile.create_id(person_id))
    assert isinstance(file, ContactFile)
    return file


def record(app: OutreachApplication, person_id: str = A, **kwargs: object) -> UUID:
    return app.record_contact(person_id=person_id, details=details(**kwargs), principal=STAFF, actor=ACTOR)  # type: ignore[arg-type]


def test_a_contact_is_counted_in_the_persons_file(app: OutreachApplication, people: RegistryFeed) -> None:
    record(app, on=date(2026, 8, 20))
    record(app, method="phone", on=date(2026, 8, 25))
    file = file_of(app, A)
    assert (file.last_contact, file.last_home_visit) == (date(2026, 8, 25), date(2026, 8, 20))


@pytest.mark.parametrize("method", list(ContactMethod))
def test_every_method_counts_as_contact_and_only_a_home_visit_as_a_home_visit(
    app: OutreachApplication, people: RegistryFeed, method: ContactMethod
) -> None:
    """Phone, video and WeChat (and the rest) reach the person; the yearly home visit needs 上门走访."""
    record(app, method=method.value, on=date(2026, 8, 20))
    file = file_of(app, A)
    visited = date(2026, 8, 20) if method is ContactMethod.home_visit else None
    assert (file.last_contact, file.last_home_visit) == (date(2026, 8, 20), visited)


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (date(2026, 9, 2), "联系日期不能晚于今天 (the contact date cannot be in the future)"),
        (
            date(2026, 7, 31),
            "联系日期不能早于该人员的建档日期 2026-08-01 (the contact date cannot be before the person was registered "
            "on 2026-08-01)",
        ),
    ],
)
def test_a_date_after_today_or_before_registration_is_refused_on_the_date_and_records_nothing(
    app: OutreachApplication, people: RegistryFeed, recorded: Callable[[], int], on: date, message: str
) -> None:
    before = recorded()
    with pytest.raises(Invalid) as refused:
        record(app, on=on)
    assert (refused.value.field, refused.value.message) == ("date", message)
    assert recorded() == before


def test_today_and_the_registration_day_itself_are_accepted(app: OutreachApplication, people: RegistryFeed) -> None:
    record(app, on=date(2026, 9, 1))
    record(app, on=date(2026, 8, 1))
    assert file_of(app, A).last_contact == date(2026, 9, 1)


def test_unknown_outside_and_deceased_people_are_refused(
    app: OutreachApplication, people: RegistryFeed, deliver: Callable[..., None], recorded: Callable[[], int]
) -> None:
    with pytest.raises(NotYetKnown):
        record(app, person_id="00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFound):
        record(app, person_id=C)
    deliver(people.died(B))
    before = recorded()
    with pytest.raises(PersonDeceased):
        record(app, person_id=B)
    assert recorded() == before


def test_a_group_entry_records_one_contact_per_person_sharing_a_group_id(
    app: OutreachApplication, people: RegistryFeed
) -> None:
    group_id, ids = app.record_group_contact(
        person_ids=[UUID(A), UUID(B)], details=details("meeting"), principal=STAFF, actor=ACTOR
    )
    contacts = [app.get_contact(contact_id) for contact_id in ids]
    assert [(c.person_id, c.group_id, c.method) for c in contacts if c] == [
        (A, str(group_id), "meeting"),
        (B, str(group_id), "meeting"),
    ]
    assert file_of(app, B).last_contact == date(2026, 8, 20)
    assert file_of(app, A).last_home_visit is None  # a meeting is a contact, not a home visit


def test_a_group_entry_with_one_person_outside_records_nobody_and_names_that_person(
    app: OutreachApplication, people: RegistryFeed, recorded: Callable[[], int]
) -> None:
    before = recorded()
    with pytest.raises(Invalid) as refused:
        app.record_group_contact(
            person_ids=[UUID(A), UUID(C)], details=details("group_activity"), principal=STAFF, actor=ACTOR
        )
    assert refused.value.field == "person_ids.1"
    assert refused.value.message.startswith("第 2 人：查无此人或不在本辖区")
    assert recorded() == before


def test_a_group_entry_is_for_a_group_method_only(app: OutreachApplication, people: RegistryFeed) -> None:
    with pytest.raises(Invalid) as refused:
        app.record_group_contact(person_ids=[UUID(A)], details=details("home_visit"), principal=STAFF, actor=ACTOR)
    assert refused.value.field == "method"


def test_a_correction_keeps_the_old_values_in_the_history_and_recounts_the_file(
    app: OutreachApplication, people: RegistryFeed
) -> None:
    contact_id = record(app, on=date(2026, 8, 20))
    contact = app.correct_contact(
        contact_id,
        changes={"method": "phone", "contacted_on": date(2026, 8, 21)},
        reason="录入时选错了方式",
        principal=STAFF,
        actor=ACTOR,
        expected_version=1,
    )
    assert (contact.method, contact.contacted_on, contact.version) == ("phone", date(2026, 8, 21), 2)
    events = list(app.events.get(contact_id))
    assert isinstance(events[0], Contact.Recorded)
    assert events[0].method == "home_visit"
    assert isinstance(events[1], Contact.Corrected)
    assert events[1].reason == "录入时选错了方式"
    file = file_of(app, A)
    assert (file.last_contact, file.last_home_visit) == (date(2026, 8, 21), None)


def test_a_correction_from_a_stale_screen_or_to_a_future_date_changes_nothing(
    app: OutreachApplication, people: RegistryFeed, recorded: Callable[[], int]
) -> None:
    contact_id = record(app)
    before = recorded()
    with pytest.raises(PreconditionFailed):
        app.correct_contact(
            contact_id, changes={"staff": "s2"}, reason="改", principal=STAFF, actor=ACTOR, expected_version=7
        )
    with pytest.raises(Invalid) as refused:
        app.correct_contact(
            contact_id, changes={"contacted_on": date(2026, 12, 1)}, reason="改日期", principal=STAFF, actor=ACTOR
        )
    assert refused.value.field == "date"
    with pytest.raises(Invalid) as nothing:
        app.correct_contact(contact_id, changes={"method": "home_visit"}, reason="同", principal=STAFF, actor=ACTOR)
    assert nothing.value.field == "body"
    assert recorded() == before


def test_a_withdrawn_contact_no_longer_counts_and_cannot_change_again(
    app: OutreachApplication, people: RegistryFeed, recorded: Callable[[], int]
) -> None:
    first = record(app, on=date(2026, 8, 10))
    second = record(app, on=date(2026, 8, 20))
    app.withdraw_contact(second, reason="重复录入", principal=STAFF, actor=ACTOR)
    assert file_of(app, A).last_home_visit == date(2026, 8, 10)
    before = recorded()
    with pytest.raises(ContactWithdrawn):
        app.withdraw_contact(second, reason="重复录入", principal=STAFF, actor=ACTOR)
    with pytest.raises(ContactWithdrawn):
        app.correct_contact(second, changes={"staff": "s2"}, reason="改", principal=STAFF, actor=ACTOR)
    assert recorded() == before
    assert app.get_contact(first) is not None


def test_a_contact_outside_the_jurisdiction_cannot_be_corrected(app: OutreachApplication, people: RegistryFeed) -> None:
    contact_id = record(app)
    elsewhere = Principal(sub="s9", name="王", roles=frozenset({Role.station_staff}), region="350103")
    with pytest.raises(NotFound):
        app.withdraw_contact(contact_id, reason="不对", principal=elsewhere, actor=ACTOR)
