"""RegistryApplication's commands on the in-memory event store (the `harness` fixture), with a fixed clock.

Each command loads, asks the domain and saves in one transaction: a refused command records nothing at all,
which every refusal test checks with `nothing_recorded`, and the relay's output is read with `published()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeAlias
from uuid import UUID, uuid4

import pytest

from registry.application import AlreadyRegistered, RegistryApplication
from registry.domain import (
    AlertOccasion,
    DataAccess,
    DuplicateCase,
    IdNumberClaim,
    KeyContactReason,
    NotActive,
    PersonDeceased,
    PersonStatus,
    Registration,
    TransferPending,
)
from vet_common.domain import Actor, DomainError, FixedClock, Invalid, NotFound, PreconditionFailed
from vet_common.events import IntegrationEvent
from vet_common.idnumber import make_id_number
from vet_devtools.testing import ServiceHarness

Harness: TypeAlias = ServiceHarness[RegistryApplication]

VILLAGE_A = "350102001001"  # 鼓东街道
VILLAGE_B = "350102002001"  # 鼓西街道
OTHER_COUNTY_VILLAGE = "350103001001"  # 台江区
TODAY = date(2026, 6, 1)
STAFF = Actor(sub="staff-1", role="station_staff")
OFFICER = Actor(sub="officer-1", role="officer")
REASON = "登记时录入错误，据户籍资料更正"


def registration(n: int = 1, birth_date: date = date(1960, 8, 1), **overrides: Any) -> Registration:
    """张三 (or whoever `overrides` says), a discharged soldier of village A; `n` picks the ID number."""
    sex = overrides.pop("sex", "male")
    return Registration(
        **{
            "id_number": make_id_number("350102", birth_date, n, sex),
            "name": "张三",
            "sex": sex,
            "birth_date": birth_date,
            "region": VILLAGE_A,
            "categories": ["discharged_soldier"],
            **overrides,
        }
    )


def register(harness: Harness, n: int = 1, **overrides: Any) -> UUID:
    return harness.app.register_person(registration(n, **overrides), STAFF)


VETERAN = 99  # registration(VETERAN): the veteran a survivor is linked to, registered by the tests that need one


def veteran(app: RegistryApplication) -> UUID:
    found = app.find_by_id_number(registration(VETERAN).id_number)
    assert found is not None, "register(harness, VETERAN) first"
    return found


@contextmanager
def nothing_recorded(harness: Harness, error: type[DomainError], field: str | None = None) -> Iterator[None]:
    """The block raises `error` (about `field`, for Invalid), and the event store holds no new event."""
    before = harness.recorded_count()
    with pytest.raises(error) as caught:
        yield
    if field is not None:
        assert isinstance(caught.value, Invalid)
        assert caught.value.field == field
    assert harness.recorded_count() == before


def names(events: list[Any]) -> list[str]:
    return [type(event).__name__ for event in events]


def recorded_by(harness: Harness, command: Callable[[], Any]) -> list[str]:
    """The names of the events one command recorded."""
    before = harness.recorded_count()
    command()
    return names(harness.all_events()[before:])


def types(events: list[IntegrationEvent]) -> list[str]:
    return [event.type for event in events]


# Registration (建档) --------------------------------------------------------------------------------------------------


def test_registering_records_the_person_and_the_id_number_claim_together(harness: Harness) -> None:
    person_id = register(harness)
    registered, claimed = harness.all_events()
    assert (type(registered).__name__, registered.originator_id) == ("Registered", person_id)
    assert type(claimed).__name__ == "Claimed"
    assert claimed.person_id == person_id  # type: ignore[attr-defined]
    person = harness.app.person(person_id)
    assert (person.name, person.region, person.status, person.registered_by) == (
        "张三",
        VILLAGE_A,
        PersonStatus.active,
        STAFF,
    )


def test_a_second_registration_of_the_id_number_names_the_existing_record_and_records_nothing(
    harness: Harness,
) -> None:
    first = register(harness)
    with nothing_recorded(harness, AlreadyRegistered):
        register(harness, name="张叁")
    with pytest.raises(AlreadyRegistered) as caught:
        register(harness, region=VILLAGE_B)
    assert caught.value.existing_id == first
    assert caught.value.extra == {"existing_id": str(first)}
    assert caught.value.status_code == 409


def test_the_id_number_stays_claimed_after_death(harness: Harness) -> None:
    person_id = register(harness)
    harness.app.record_death(person_id, date(2024, 2, 10), STAFF)
    with nothing_recorded(harness, AlreadyRegistered):
        register(harness)


def test_the_id_number_is_found_by_a_keyed_hash_never_stored_in_the_claim(harness: Harness) -> None:
    person_id = register(harness)
    id_number = registration().id_number
    assert harness.app.find_by_id_number(id_number) == person_id
    assert harness.app.find_by_id_number(registration(2).id_number) is None
    claim = harness.app.repository.get(IdNumberClaim.create_id(harness.app.id_number_hash(id_number)))
    assert id_number not in repr(vars(claim))
    other_key = ServiceHarness[RegistryApplication](
        harness.definition, settings=harness.settings.model_copy(update={"cipher_key": "b" * 43 + "="})
    )
    assert other_key.app.id_number_hash(id_number) != harness.app.id_number_hash(id_number)


def test_a_batch_registers_every_new_row(harness: Harness) -> None:
    outcome = harness.app.register_batch([(row, registration(row)) for row in range(1, 4)], STAFF)
    assert len(outcome.registered) == 3
    assert outcome.already_registered == []
    assert names(harness.all_events()) == ["Registered", "Claimed"] * 3
    assert harness.app.process_recorder.max_notification_id() == 6


def test_a_batch_reports_a_row_repeating_an_earlier_row_of_the_batch(harness: Harness) -> None:
    rows = [(2, registration(1)), (3, registration(2)), (4, registration(1, name="张三丰"))]
    outcome = harness.app.register_batch(rows, STAFF)
    assert len(outcome.registered) == 2
    assert outcome.already_registered == [(4, outcome.registered[0])]
    assert names(harness.all_events()) == ["Registered", "Claimed"] * 2


def test_a_batch_reports_rows_already_registered_and_registers_the_others(harness: Harness) -> None:
    existing = register(harness, 2)
    before = harness.recorded_count()
    outcome = harness.app.register_batch([(1, registration(1)), (2, registration(2)), (3, registration(3))], STAFF)
    assert outcome.already_registered == [(2, existing)]
    assert len(outcome.registered) == 2
    assert names(harness.all_events()[before:]) == ["Registered", "Claimed"] * 2


def test_a_batch_of_people_all_registered_already_records_nothing(harness: Harness) -> None:
    ids = [register(harness, n) for n in (1, 2)]
    before = harness.recorded_count()
    outcome = harness.app.register_batch([(1, registration(1)), (2, registration(2))], STAFF)
    assert (outcome.registered, outcome.already_registered) == ([], [(1, ids[0]), (2, ids[1])])
    assert harness.recorded_count() == before


# Keeping a record up to date ----------------------------------------------------------------------------------------

CHANGES: list[Any] = [
    pytest.param(
        lambda app, p, **seen: app.update_profile(p, {"housing": "自有住房"}, STAFF, None, **seen),
        "ProfileUpdated",
        id="profile",
    ),
    pytest.param(
        lambda app, p, **seen: app.change_contact(p, "13812345678", "新地址", STAFF, None, **seen),
        "ContactChanged",
        id="contact",
    ),
    pytest.param(
        lambda app, p, **seen: app.change_categories(p, ["demobilized_soldier"], STAFF, None, **seen),
        "CategoriesChanged",
        id="categories",
    ),
    pytest.param(
        lambda app, p, **seen: app.change_service_record(p, {"branch": "陆军"}, STAFF, None, **seen),
        "ServiceRecordChanged",
        id="service record",
    ),
    pytest.param(
        lambda app, p, **seen: app.add_honour(p, {"title": "三等功"}, STAFF, None, **seen), "HonourAdded", id="honour"
    ),
    pytest.param(
        lambda app, p, **seen: app.assess_disability(p, 8, "因公", "闽残 0001", STAFF, None, **seen),
        "DisabilityAssessed",
        id="disability",
    ),
    pytest.param(
        lambda app, p, **seen: app.designate_key_contact(p, KeyContactReason.unemployed, "下岗", STAFF, **seen),
        "KeyContactDesignated",
        id="designate key contact",
    ),
    pytest.param(
        lambda app, p, **seen: app.apply_for_preferential_card(p, STAFF, **seen),
        "PreferentialCardApplied",
        id="apply for the card",
    ),
    pytest.param(
        lambda app, p, **seen: app.record_annual_confirmation(p, 2026, "本人到场", STAFF, **seen),
        "AnnualConfirmationRecorded",
        id="annual confirmation",
    ),
    pytest.param(
        lambda app, p, **seen: app.link_survivor(p, veteran(app), "spouse", "martyr_survivor", STAFF, **seen),
        "SurvivorLinked",
        id="survivor",
    ),
    pytest.param(lambda app, p, **seen: app.record_death(p, date(2024, 2, 10), STAFF, **seen), "Died", id="death"),
]


@pytest.mark.parametrize(("command", "event_name"), CHANGES)
def test_each_change_command_records_its_one_event_and_returns_the_record(
    harness: Harness, command: Callable[[RegistryApplication, UUID], Any], event_name: str
) -> None:
    register(harness, VETERAN)
    person_id = register(harness)
    before = harness.recorded_count()
    person = command(harness.app, person_id)
    assert names(harness.all_events()[before:]) == [event_name]
    assert person.version == 2
    assert harness.app.person(person_id).version == 2


@pytest.mark.parametrize(("command", "event_name"), CHANGES)
def test_each_change_from_a_stale_screen_is_refused_and_records_nothing(
    harness: Harness, command: Callable[..., Any], event_name: str
) -> None:
    """If-Match: the caller saw version 1, someone else made it version 2 meanwhile."""
    register(harness, VETERAN)
    person_id = register(harness)
    harness.app.change_contact(person_id, None, "他人刚改的地址", OFFICER, None)
    with nothing_recorded(harness, PreconditionFailed):
        command(harness.app, person_id, expected_version=1)
    with pytest.raises(PreconditionFailed) as caught:
        command(harness.app, person_id, expected_version=1)
    assert (caught.value.status_code, caught.value.extra) == (412, {"version": 2})
    command(harness.app, person_id, expected_version=2)
    assert names(harness.events(person_id))[-1] == event_name


UNKNOWN_PERSON: list[Any] = [
    *CHANGES,
    pytest.param(lambda app, p: app.remove_key_contact(p, "unemployed", "", STAFF), None, id="remove key contact"),
    pytest.param(lambda app, p: app.issue_preferential_card(p, "YD001", None, STAFF), None, id="issue the card"),
    pytest.param(lambda app, p: app.replace_disability_certificate(p, "新证", STAFF), None, id="replace certificate"),
    pytest.param(lambda app, p: app.correct_death(p, None, REASON, OFFICER), None, id="correct death"),
    pytest.param(lambda app, p: app.request_transfer(p, VILLAGE_B, "投靠子女", STAFF), None, id="request transfer"),
    pytest.param(lambda app, p: app.person(p), None, id="read"),
]


@pytest.mark.parametrize(("command", "event_name"), UNKNOWN_PERSON)
def test_each_command_about_an_unknown_person_is_not_found_and_records_nothing(
    harness: Harness, command: Callable[[RegistryApplication, UUID], Any], event_name: str | None
) -> None:
    register(harness, VETERAN)
    with nothing_recorded(harness, NotFound):
        command(harness.app, uuid4())
    assert harness.app.get_person(uuid4()) is None


def test_categories_are_recorded_once_each_in_the_order_given(harness: Harness) -> None:
    person_id = register(harness)
    categories = ["disabled_soldier", "discharged_soldier", "disabled_soldier"]
    person = harness.app.change_categories(person_id, categories, STAFF, None)
    assert person.categories == ["disabled_soldier", "discharged_soldier"]


def test_a_disability_is_recorded_without_surrounding_spaces(harness: Harness) -> None:
    person_id = register(harness)
    person = harness.app.assess_disability(person_id, 5, " 因战 ", " 闽残 0001 ", STAFF, None)
    assert person.disability == {"level": 5, "cause": "因战", "certificate_no": "闽残 0001", "certificate_style": "old"}


def test_the_card_is_issued_today_unless_another_day_is_given(harness: Harness) -> None:
    first, second = register(harness, 1), register(harness, 2)
    for person_id in (first, second):
        harness.app.apply_for_preferential_card(person_id, STAFF)
    assert (
        harness.app.issue_preferential_card(first, "YD001", None, STAFF).preferential_card["issued_on"] == "2026-06-01"
    )
    issued = harness.app.issue_preferential_card(second, "YD002", date(2026, 5, 20), STAFF)
    assert issued.preferential_card == {"status": "issued", "card_no": "YD002", "issued_on": "2026-05-20"}


def test_a_removed_designation_and_a_replaced_certificate_record_their_events(harness: Harness) -> None:
    person_id = register(harness)
    harness.app.designate_key_contact(person_id, KeyContactReason.unemployed, "", STAFF)
    harness.app.assess_disability(person_id, 5, "因战", "旧证", STAFF, None)
    assert recorded_by(harness, lambda: harness.app.remove_key_contact(person_id, "unemployed", "已就业", STAFF)) == [
        "KeyContactRemoved"
    ]
    assert recorded_by(harness, lambda: harness.app.replace_disability_certificate(person_id, "新证", STAFF)) == [
        "DisabilityCertificateReplaced"
    ]


@pytest.mark.parametrize(
    ("command", "error", "field"),
    [
        pytest.param(
            lambda app, p: app.designate_key_contact(p, "aged_80_or_over", "", STAFF), Invalid, "reason", id="derived"
        ),
        pytest.param(
            lambda app, p: app.remove_key_contact(p, "unemployed", "", STAFF), Invalid, "reason", id="not set"
        ),
        pytest.param(lambda app, p: app.issue_preferential_card(p, "YD", None, STAFF), Invalid, "action", id="no card"),
        pytest.param(
            lambda app, p: app.issue_preferential_card(p, "YD", date(2026, 6, 2), STAFF),
            Invalid,
            "date",
            id="future card",
        ),
        pytest.param(
            lambda app, p: app.replace_disability_certificate(p, "新证", STAFF), Invalid, "action", id="no disability"
        ),
        pytest.param(lambda app, p: app.link_survivor(p, p, "spouse", "martyr_survivor", STAFF), Invalid, "veteran_id"),
        pytest.param(
            lambda app, p: app.link_survivor(p, uuid4(), "spouse", "discharged_soldier", STAFF), Invalid, "category"
        ),
        pytest.param(
            lambda app, p: app.link_survivor(p, uuid4(), "spouse", "martyr_survivor", STAFF),
            NotFound,
            None,
            id="veteran not registered",
        ),
        pytest.param(lambda app, p: app.record_death(p, date(1950, 1, 1), STAFF), Invalid, "date", id="before birth"),
        pytest.param(lambda app, p: app.correct_death(p, None, REASON, OFFICER), Invalid, "date", id="not deceased"),
        pytest.param(
            lambda app, p: app.request_transfer(p, VILLAGE_A, "", STAFF), Invalid, "to_region", id="same region"
        ),
    ],
)
def test_a_refused_command_records_nothing(
    harness: Harness, command: Callable[[RegistryApplication, UUID], Any], error: type[DomainError], field: str
) -> None:
    person_id = register(harness)
    with nothing_recorded(harness, error, field):
        command(harness.app, person_id)


# The clock: future years and dates --------------------------------------------------------------------------------


def test_the_annual_confirmation_is_dated_today_and_recorded_once_per_year(harness: Harness) -> None:
    person_id = register(harness)
    person = harness.app.record_annual_confirmation(person_id, 2026, "本人到场", STAFF)
    assert person.confirmations == [
        {"year": 2026, "confirmed_on": "2026-06-01", "note": "本人到场", "confirmed_by": "staff-1"}
    ]
    with nothing_recorded(harness, Invalid, "year"):
        harness.app.record_annual_confirmation(person_id, 2026, "again", STAFF)


def test_a_future_year_is_confirmed_only_once_the_year_has_come(harness: Harness) -> None:
    person_id = register(harness)
    with nothing_recorded(harness, Invalid, "year"):
        harness.app.record_annual_confirmation(person_id, 2027, "", STAFF)
    harness.clock.set(date(2026, 12, 31))
    with nothing_recorded(harness, Invalid, "year"):
        harness.app.record_annual_confirmation(person_id, 2027, "", STAFF)
    harness.clock = FixedClock(date(2027, 1, 1))
    assert harness.app.record_annual_confirmation(person_id, 2027, "", STAFF).confirmations[0]["year"] == 2027


def test_the_year_changes_at_midnight_in_china_not_in_utc(harness: Harness) -> None:
    person_id = register(harness)
    harness.clock.set(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 January 2027 in China
    assert harness.app.record_annual_confirmation(person_id, 2027, "", STAFF).confirmations[0]["confirmed_on"] == (
        "2027-01-01"
    )


def test_a_death_today_is_recorded_and_tomorrow_is_refused(harness: Harness) -> None:
    first, second = register(harness, 1), register(harness, 2)
    with nothing_recorded(harness, Invalid, "date"):
        harness.app.record_death(first, TODAY + timedelta(days=1), STAFF)
    assert harness.app.person(first).status == PersonStatus.active
    assert harness.app.record_death(second, TODAY, STAFF).died_on == TODAY


def test_a_correction_to_a_future_date_of_death_is_refused(harness: Harness) -> None:
    person_id = register(harness)
    harness.app.record_death(person_id, date(2024, 2, 10), STAFF)
    with nothing_recorded(harness, Invalid, "date"):
        harness.app.correct_death(person_id, TODAY + timedelta(days=1), REASON, OFFICER)
    harness.clock.advance(days=1)
    assert harness.app.correct_death(person_id, TODAY + timedelta(days=1), REASON, OFFICER).died_on == date(2026, 6, 2)


# A deceased person's record -----------------------------------------------------------------------------------------


@pytest.fixture
def deceased(harness: Harness) -> UUID:
    person_id = register(harness)
    harness.app.record_death(person_id, date(2024, 2, 10), STAFF)
    return person_id


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(lambda app, p, r: app.update_profile(p, {"housing": "无"}, OFFICER, r), id="profile"),
        pytest.param(lambda app, p, r: app.change_contact(p, None, "更正后的地址", OFFICER, r), id="contact"),
        pytest.param(lambda app, p, r: app.change_categories(p, ["demobilized_soldier"], OFFICER, r), id="categories"),
        pytest.param(lambda app, p, r: app.change_service_record(p, {"branch": "空军"}, OFFICER, r), id="service"),
        pytest.param(lambda app, p, r: app.add_honour(p, {"title": "二等功"}, OFFICER, r), id="honour"),
        pytest.param(lambda app, p, r: app.assess_disability(p, 9, "因公", "X1", OFFICER, r), id="disability"),
    ],
)
def test_a_deceased_record_takes_a_change_only_as_a_correction_with_a_reason(
    harness: Harness, deceased: UUID, command: Callable[[RegistryApplication, UUID, str | None], Any]
) -> None:
    with nothing_recorded(harness, PersonDeceased):
        command(harness.app, deceased, None)
    corrected = command(harness.app, deceased, REASON)
    assert corrected.status == PersonStatus.deceased
    assert harness.events(deceased)[-1].correction_reason == REASON  # type: ignore[attr-defined]


def test_a_deceased_record_refuses_what_only_an_active_record_takes(harness: Harness, deceased: UUID) -> None:
    for command in (
        lambda: harness.app.designate_key_contact(deceased, "other", "", STAFF),
        lambda: harness.app.apply_for_preferential_card(deceased, STAFF),
        lambda: harness.app.record_annual_confirmation(deceased, 2026, "", STAFF),
        lambda: harness.app.request_transfer(deceased, VILLAGE_B, "投靠子女", STAFF),
    ):
        with nothing_recorded(harness, NotActive):
            command()
    with nothing_recorded(harness, PersonDeceased):
        harness.app.record_death(deceased, date(2024, 3, 1), STAFF)
    with nothing_recorded(harness, PersonDeceased):
        harness.app.link_survivor(deceased, uuid4(), "child", "martyr_survivor", STAFF)  # its death is checked first


def test_a_death_recorded_in_error_is_revoked_and_the_record_is_active_again(harness: Harness, deceased: UUID) -> None:
    person = harness.app.correct_death(deceased, None, REASON, OFFICER)
    assert (person.status, person.died_on) == (PersonStatus.active, None)
    assert harness.app.apply_for_preferential_card(deceased, STAFF).preferential_card == {"status": "applied"}


# Reading personal data in clear (the access log) ------------------------------------------------------------------


def test_a_reveal_records_who_read_which_fields_of_whom_and_why(harness: Harness) -> None:
    person_id = register(harness)
    before = harness.recorded_count()
    harness.app.reveal(harness.app.person(person_id), ["id_number", "phone"], "办理优待证", STAFF)
    (access,) = harness.all_events()[before:]
    assert type(access).__name__ == "PersonalDataRevealed"
    read: DataAccess = harness.app.repository.get(access.originator_id)
    assert (read.person_id, read.region, read.fields, read.purpose, read.actor) == (
        str(person_id),
        VILLAGE_A,
        ["id_number", "phone"],
        "办理优待证",
        STAFF,
    )
    assert harness.app.person(person_id).version == 1  # reading changes nothing on the record


# Transfers (迁移) -----------------------------------------------------------------------------------------------------


def test_a_transfer_request_records_the_transfer_and_marks_the_person_together(harness: Harness) -> None:
    person_id = register(harness)
    before = harness.recorded_count()
    transfer_id = harness.app.request_transfer(person_id, VILLAGE_B, "投靠子女", STAFF)
    assert names(harness.all_events()[before:]) == ["Requested", "TransferRequested"]
    transfer = harness.app.get_transfer(transfer_id)
    assert transfer is not None
    assert (transfer.person_id, transfer.from_region, transfer.to_region, transfer.status) == (
        str(person_id),
        VILLAGE_A,
        VILLAGE_B,
        "pending",
    )
    assert harness.app.person(person_id).pending_transfer == str(transfer_id)


def test_a_second_pending_transfer_is_refused_and_records_no_transfer(harness: Harness) -> None:
    person_id = register(harness)
    harness.app.request_transfer(person_id, VILLAGE_B, "投靠子女", STAFF)
    with nothing_recorded(harness, TransferPending):
        harness.app.request_transfer(person_id, OTHER_COUNTY_VILLAGE, "另有住所", STAFF)


def test_an_accepted_transfer_moves_the_person(harness: Harness) -> None:
    person_id = register(harness)
    transfer_id = harness.app.request_transfer(person_id, VILLAGE_B, "投靠子女", STAFF)
    before = harness.recorded_count()
    transfer = harness.app.accept_transfer(transfer_id, "同意接收", OFFICER)
    assert names(harness.all_events()[before:]) == ["Accepted", "Transferred"]
    assert (transfer.status, transfer.decided_by) == ("accepted", OFFICER)
    person = harness.app.person(person_id)
    assert (person.region, person.pending_transfer) == (VILLAGE_B, None)


def test_a_rejected_transfer_leaves_the_person_and_allows_a_new_request(harness: Harness) -> None:
    person_id = register(harness)
    transfer_id = harness.app.request_transfer(person_id, VILLAGE_B, "投靠子女", STAFF)
    transfer = harness.app.reject_transfer(transfer_id, "材料不全", OFFICER)
    assert (transfer.status, transfer.decision_note) == ("rejected", "材料不全")
    person = harness.app.person(person_id)
    assert (person.region, person.pending_transfer) == (VILLAGE_A, None)
    assert harness.app.request_transfer(person_id, VILLAGE_B, "补充材料后再次申请", STAFF) != transfer_id


@pytest.mark.parametrize("decide", ["accept", "reject"])
def test_a_transfer_is_decided_once(harness: Harness, decide: str) -> None:
    person_id = register(harness)
    transfer_id = harness.app.request_transfer(person_id, VILLAGE_B, "投靠子女", STAFF)
    harness.app.accept_transfer(transfer_id, "", OFFICER)
    command = harness.app.accept_transfer if decide == "accept" else harness.app.reject_transfer
    with nothing_recorded(harness, Invalid, "transfer_id"):
        command(transfer_id, "", OFFICER)
    assert harness.app.person(person_id).region == VILLAGE_B


@pytest.mark.parametrize("decide", ["accept", "reject"])
def test_an_unknown_transfer_is_not_found(harness: Harness, decide: str) -> None:
    command = harness.app.accept_transfer if decide == "accept" else harness.app.reject_transfer
    with nothing_recorded(harness, NotFound):
        command(uuid4(), "", OFFICER)


@pytest.mark.parametrize("close", ["death", "merger"])
def test_a_transfer_of_a_person_who_died_or_was_merged_meanwhile_cannot_be_accepted(
    harness: Harness, close: str
) -> None:
    person_id, other_id = register(harness, 1), register(harness, 2)
    transfer_id = harness.app.request_transfer(person_id, VILLAGE_B, "投靠子女", STAFF)
    if close == "death":
        harness.app.record_death(person_id, date(2026, 5, 1), STAFF)
    else:
        harness.app.flag_possible_duplicate([str(person_id), str(other_id)], "350102", "张三", date(1960, 8, 1))
        harness.app.merge_duplicates(DuplicateCase.create_id([str(person_id), str(other_id)]), other_id, "", OFFICER)
    with nothing_recorded(harness, Invalid, "transfer_id"):
        harness.app.accept_transfer(transfer_id, "", OFFICER)
    assert harness.app.person(person_id).region == VILLAGE_A
    assert harness.app.reject_transfer(transfer_id, "人员已不在册", OFFICER).status == "rejected"


# Possible duplicates (疑似重复) ---------------------------------------------------------------------------------------


@pytest.fixture
def case(harness: Harness) -> tuple[UUID, UUID, UUID]:
    """Two records of 张三 born on 1 August 1960 with different ID numbers, flagged: (case, first, second)."""
    first, second = register(harness, 1), register(harness, 2)
    assert harness.app.flag_possible_duplicate([str(second), str(first)], "350102", "张三", date(1960, 8, 1))
    return DuplicateCase.create_id([str(first), str(second)]), first, second


def test_a_possible_duplicate_is_flagged_once_per_set_of_records(
    harness: Harness, case: tuple[UUID, UUID, UUID]
) -> None:
    case_id, first, second = case
    before = harness.recorded_count()
    assert not harness.app.flag_possible_duplicate([str(first), str(second)], "350102", "张三", date(1960, 8, 1))
    assert harness.recorded_count() == before
    flagged = harness.app.get_duplicate_case(case_id)
    assert flagged is not None
    assert (flagged.person_ids, flagged.status) == (sorted([str(first), str(second)]), "open")


def test_merging_keeps_one_record_and_merges_the_other_into_it(harness: Harness, case: tuple[UUID, UUID, UUID]) -> None:
    case_id, first, second = case
    before = harness.recorded_count()
    harness.app.merge_duplicates(case_id, first, "同一人，身份证号码登记有误", OFFICER)
    assert sorted(names(harness.all_events()[before:])) == ["MergedInto", "Resolved"]
    assert harness.app.person(first).status == PersonStatus.active
    other = harness.app.person(second)
    assert (other.status, other.merged_into) == (PersonStatus.merged, str(first))
    resolved = harness.app.get_duplicate_case(case_id)
    assert resolved is not None
    assert (resolved.status, resolved.outcome) == ("resolved", "same_person")


@pytest.mark.parametrize("keep", [None, "outsider"], ids=["no record kept", "a record outside the case"])
def test_merging_needs_a_kept_record_of_the_case(
    harness: Harness, case: tuple[UUID, UUID, UUID], keep: str | None
) -> None:
    keep_id = register(harness, 3) if keep else None
    with nothing_recorded(harness, Invalid, "keep_id"):
        harness.app.merge_duplicates(case[0], keep_id, "", OFFICER)


def test_different_people_are_closed_as_such_and_both_stay_active(
    harness: Harness, case: tuple[UUID, UUID, UUID]
) -> None:
    case_id, first, second = case
    assert recorded_by(harness, lambda: harness.app.close_as_different_people(case_id, "两人", OFFICER)) == ["Resolved"]
    assert {harness.app.person(p).status for p in (first, second)} == {PersonStatus.active}


@pytest.mark.parametrize("first_outcome", ["same_person", "different_people"])
@pytest.mark.parametrize("second_outcome", ["same_person", "different_people"])
def test_a_case_is_resolved_once(
    harness: Harness, case: tuple[UUID, UUID, UUID], first_outcome: str, second_outcome: str
) -> None:
    case_id, first, _ = case

    def resolve(outcome: str) -> None:
        if outcome == "same_person":
            harness.app.merge_duplicates(case_id, first, "", OFFICER)
        else:
            harness.app.close_as_different_people(case_id, "", OFFICER)

    resolve(first_outcome)
    with nothing_recorded(harness, Invalid, "case_id"):
        resolve(second_outcome)


def test_an_unknown_case_is_not_found(harness: Harness) -> None:
    with nothing_recorded(harness, NotFound):
        harness.app.merge_duplicates(uuid4(), uuid4(), "", OFFICER)
    with nothing_recorded(harness, NotFound):
        harness.app.close_as_different_people(uuid4(), "", OFFICER)


# Alerts (政策预警) --------------------------------------------------------------------------------------------------


def alert(person_id: UUID, kind: str = "turning_80", occasion: str = "2026-07-01") -> dict[str, Any]:
    return {
        "person_id": str(person_id),
        "region": VILLAGE_A,
        "kind": kind,
        "occasion": occasion,
        "due_on": date.fromisoformat(occasion) if "-" in occasion else date(2026, 12, 31),
        "message": "该人员将于2026年7月1日年满80周岁",
    }


def test_alerts_are_raised_once_per_person_kind_and_occasion(harness: Harness) -> None:
    person_id = register(harness)
    alerts = [alert(person_id), alert(person_id, "annual_confirmation_due", "2026")]
    assert harness.app.raise_alerts(alerts) == 2
    before = harness.recorded_count()
    assert harness.app.raise_alerts(alerts) == 0
    assert harness.recorded_count() == before
    assert harness.app.raise_alerts([*alerts, alert(person_id, occasion="2027-07-01")]) == 1
    raised = harness.app.repository.get(AlertOccasion.create_id(str(person_id), "turning_80", "2026-07-01"))
    assert (raised.kind, raised.due_on) == ("turning_80", date(2026, 7, 1))


# Imports (台账导入) ---------------------------------------------------------------------------------------------------


def test_an_import_registers_each_batch_with_its_progress_in_one_transaction(harness: Harness) -> None:
    already = register(harness, 9)
    job_id = harness.app.start_import("台账.xlsx", "hash", "350102", STAFF)
    rejected = [{"row": 3, "errors": [{"field": "id_number", "message": "校验码不正确"}]}]
    before = harness.recorded_count()
    harness.app.import_batch(job_id, [(2, registration(1)), (4, registration(9))], rejected, next_row=3)
    assert names(harness.all_events()[before:]) == ["Registered", "Claimed", "BatchRecorded"]
    harness.app.import_batch(job_id, [(5, registration(2)), (6, registration(1))], [], next_row=5)
    harness.app.finish_import(job_id, "finished", "完成")

    job = harness.app.get_import_job(job_id)
    assert job is not None
    assert (job.status, job.message, job.rows, job.next_row) == ("finished", "完成", 5, 5)
    assert (job.registered, job.already_registered, job.rejected) == (2, 2, rejected)
    imported = harness.app.person(harness.app.find_by_id_number(registration(2).id_number) or uuid4())
    assert harness.events(imported.id)[0].import_job_id == str(job_id)  # type: ignore[attr-defined]
    assert job.actor == STAFF
    assert harness.app.person(already).version == 1


def test_an_import_batch_of_people_already_registered_records_only_its_progress(harness: Harness) -> None:
    register(harness, 1)
    job_id = harness.app.start_import("台账.csv", "hash", "350102", STAFF)
    assert recorded_by(harness, lambda: harness.app.import_batch(job_id, [(2, registration(1))], [], 1)) == [
        "BatchRecorded"
    ]


# History -----------------------------------------------------------------------------------------------------------


def test_the_record_as_it_was_at_any_time(harness: Harness) -> None:
    person_id = register(harness)
    harness.app.change_contact(person_id, "13812345678", "旧地址", STAFF, None)
    harness.app.change_contact(person_id, "13900001111", "新地址", STAFF, None)
    registered, old_contact, new_contact = harness.events(person_id)
    assert harness.app.person_as_of(person_id, registered.timestamp - timedelta(microseconds=1)) is None
    at_registration = harness.app.person_as_of(person_id, registered.timestamp)
    assert at_registration is not None
    assert (at_registration.version, at_registration.phone) == (1, None)
    between = harness.app.person_as_of(person_id, new_contact.timestamp - timedelta(microseconds=1))
    assert between is not None
    assert (between.version, between.address) == (2, "旧地址")
    latest = harness.app.person_as_of(person_id, new_contact.timestamp + timedelta(days=1))
    assert latest is not None
    assert (latest.version, latest.address) == (3, "新地址")
    assert old_contact.timestamp <= new_contact.timestamp


def test_a_persons_events_are_every_change_oldest_first(harness: Harness) -> None:
    person_id = register(harness)
    harness.app.designate_key_contact(person_id, KeyContactReason.living_in_difficulty, "", STAFF)
    harness.app.record_death(person_id, date(2026, 5, 1), STAFF)
    assert names(harness.app.person_events(person_id)) == ["Registered", "KeyContactDesignated", "Died"]
    assert harness.app.person_events(uuid4()) == []


# What the relay publishes --------------------------------------------------------------------------------------------


def test_a_registration_publishes_person_registered_without_personal_data(harness: Harness) -> None:
    person_id = register(harness, phone="13812345678", address="鼓楼区某某路 1 号")
    (event,) = harness.published()
    assert (event.type, event.source, event.aggregate_id, event.region) == (
        "PersonRegistered",
        "registry",
        str(person_id),
        VILLAGE_A,
    )
    assert event.data == {
        "person_id": str(person_id),
        "categories": ["discharged_soldier"],
        "key_contact_reasons": [],
        "status": "active",
        "birth_year": 1960,
        "sex": "male",
        "household": None,
        "disability_level": None,
    }
    assert event.actor.sub == "staff-1"
    text = event.model_dump_json()
    for personal in (registration().id_number, "张三", "13812345678", "某某路"):
        assert personal not in text


def test_a_transfer_is_published_only_when_accepted_with_both_regions(harness: Harness) -> None:
    person_id = register(harness)
    transfer_id = harness.app.request_transfer(person_id, VILLAGE_B, "投靠子女", STAFF)
    assert types(harness.published()) == ["PersonRegistered"]  # a request stays inside the registry
    harness.app.accept_transfer(transfer_id, "", OFFICER)
    transferred = harness.published()[-1]
    assert transferred.type == "PersonTransferred"
    assert (transferred.region, transferred.data["from_region"], transferred.data["to_region"]) == (
        VILLAGE_B,
        VILLAGE_A,
        VILLAGE_B,
    )
    assert transferred.data["transfer_id"] == str(transfer_id)


def test_a_death_and_its_revocation_are_published_with_the_status(harness: Harness) -> None:
    person_id = register(harness)
    harness.app.record_death(person_id, date(2026, 5, 1), STAFF)
    harness.app.correct_death(person_id, None, REASON, OFFICER)
    registered, died, corrected = harness.published()
    assert (died.type, died.data["died_on"], died.data["status"]) == ("PersonDied", "2026-05-01", "deceased")
    assert (corrected.type, corrected.data["change"], corrected.data["status"]) == (
        "PersonUpdated",
        "death_corrected",
        "active",
    )
    assert [event.source_position for event in (registered, died, corrected)] == sorted(
        {event.source_position for event in (registered, died, corrected)}
    )


def test_a_key_contact_designation_is_published_with_its_reason_and_a_refusal_publishes_nothing(
    harness: Harness,
) -> None:
    person_id = register(harness)
    harness.app.designate_key_contact(person_id, KeyContactReason.extremely_poor, "特困供养", STAFF)
    with nothing_recorded(harness, Invalid, "reason"):
        harness.app.designate_key_contact(person_id, KeyContactReason.meritorious, "", STAFF)
    events = harness.published()
    assert types(events) == ["PersonRegistered", "KeyContactDesignated"]
    assert events[-1].data["reason"] == "extremely_poor"
    assert events[-1].data["key_contact_reasons"] == ["extremely_poor"]


def test_a_merger_is_published_as_an_update_naming_the_kept_record(
    harness: Harness, case: tuple[UUID, UUID, UUID]
) -> None:
    case_id, first, second = case
    harness.app.merge_duplicates(case_id, first, "", OFFICER)
    merged = harness.published()[-1]
    assert (merged.type, merged.aggregate_id) == ("PersonUpdated", str(second))
    assert (merged.data["change"], merged.data["merged_into"], merged.data["status"]) == (
        "merged",
        str(first),
        "merged",
    )


def test_an_alert_is_published_once(harness: Harness) -> None:
    person_id = register(harness)
    harness.app.raise_alerts([alert(person_id)])
    harness.app.raise_alerts([alert(person_id)])
    alerts = [event for event in harness.published() if event.type == "EligibilityAlertRaised"]
    assert [event.data for event in alerts] == [
        {"person_id": str(person_id), "kind": "turning_80", "occasion": "2026-07-01", "due_on": "2026-07-01"}
    ]


def test_internal_records_are_never_published(harness: Harness, case: tuple[UUID, UUID, UUID]) -> None:
    case_id, first, _ = case
    harness.app.reveal(harness.app.person(first), ["phone"], "核实", STAFF)
    harness.app.close_as_different_people(case_id, "", OFFICER)
    harness.app.start_import("台账.xlsx", "hash", "350102", STAFF)
    assert types(harness.published()) == ["PersonRegistered", "PersonRegistered"]


def test_an_alert_from_a_lagging_read_model_takes_the_persons_region_now_and_none_once_they_died(
    harness: Harness,
) -> None:
    moved, died = register(harness, 1), register(harness, 2)
    transfer = harness.app.request_transfer(moved, VILLAGE_B, "投靠子女", STAFF)
    harness.app.accept_transfer(transfer, "", OFFICER)
    harness.app.record_death(died, date(2026, 5, 20), STAFF)
    # What the daily scan read before the read model caught up: both in 鼓东街道, both alive.
    seen = [
        {"person_id": str(person), "region": VILLAGE_A, "kind": "rural_veteran_turning_60", "occasion": "2026-07-15",
         "due_on": date(2026, 7, 15), "message": "年满60周岁"}
        for person in (moved, died)
    ]  # fmt: skip
    assert harness.app.raise_alerts(seen) == 1
    alert = harness.app.get_or_none(AlertOccasion.create_id(str(moved), "rural_veteran_turning_60", "2026-07-15"))
    assert alert.region == VILLAGE_B
    assert harness.app.get_or_none(AlertOccasion.create_id(str(died), "rural_veteran_turning_60", "2026-07-15")) is None
    assert harness.app.raise_alerts(seen) == 0
