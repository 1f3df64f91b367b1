"""The registry's aggregates on their own: what each change records, and every guard that refuses one.

No event store and no HTTP: an aggregate is built in memory, its pending events are collected as a save would,
and a refusal must leave it exactly as it was (no new event, the same version, the same state).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, timedelta
from inspect import signature
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate

from registry.alerts import anniversary
from registry.domain import (
    DERIVED_REASONS,
    SURVIVOR_CATEGORIES,
    DataAccess,
    DuplicateCase,
    IdNumberClaim,
    ImportJob,
    KeyContactReason,
    NotActive,
    Person,
    PersonDeceased,
    PersonStatus,
    Registration,
    Transfer,
    TransferPending,
    age_on,
    born_on_or_before,
)
from vet_common.domain import Actor, Conflict, DomainError, Invalid, NotFound
from vet_common.idnumber import make_id_number

VILLAGE_A = "350102001001"  # 鼓东街道
VILLAGE_B = "350102002001"  # 鼓西街道
TODAY = date(2026, 6, 1)
STAFF = Actor(sub="staff-1", role="station_staff")
OFFICER = Actor(sub="officer-1", role="officer")
REASON = "登记时录入错误，据户籍资料更正"


def registered(birth_date: date = date(1960, 8, 1), **overrides: Any) -> Person:
    """张三, a discharged soldier of village A, as saved: his Registered event already collected."""
    arguments: dict[str, Any] = {
        "id_number": make_id_number("350102", birth_date, 1, "male"),
        "name": "张三",
        "sex": "male",
        "birth_date": birth_date,
        "region": VILLAGE_A,
        "categories": ["discharged_soldier"],
        "actor": STAFF,
        **overrides,
    }
    person = Person(**arguments)
    person.collect_events()
    return person


def prepared() -> Person:
    """A record with something to remove or replace: a key-contact designation and an assessed disability."""
    person = registered()
    person.designate_key_contact(KeyContactReason.unemployed, "下岗", STAFF)
    person.assess_disability(8, "因公", "闽残 0001", STAFF)
    person.collect_events()
    return person


def deceased(person: Person | None = None) -> Person:
    person = person or prepared()
    person.record_death(date(2024, 2, 10), STAFF)
    person.collect_events()
    return person


def merged(person: Person | None = None) -> Person:
    person = person or prepared()
    person.merge_into(str(uuid4()), OFFICER)
    person.collect_events()
    return person


def recorded(aggregate: Aggregate) -> list[str]:
    """The names of the events the aggregate would save now (and collects them)."""
    return [type(event).__name__ for event in aggregate.collect_events()]


@contextmanager
def refused(aggregate: Aggregate, error: type[DomainError], field: str | None = None) -> Iterator[None]:
    """The block raises `error` (about `field`, for Invalid) and the aggregate records and changes nothing."""
    version, state = aggregate.version, copy.deepcopy(vars(aggregate))
    with pytest.raises(error) as caught:
        yield
    if field is not None:
        assert isinstance(caught.value, Invalid)
        assert caught.value.field == field
    assert aggregate.collect_events() == []
    assert aggregate.version == version
    assert vars(aggregate) == state


# Registration ---------------------------------------------------------------------------------------------------


def test_a_registration_is_exactly_the_arguments_of_registered() -> None:
    parameters = set(signature(Person.__init__).parameters) - {"self", "actor", "import_job_id"}
    assert {item.name for item in fields(Registration)} == parameters


def test_a_new_record_is_active_and_has_nothing_yet() -> None:
    person = registered()
    assert person.status == PersonStatus.active
    assert person.version == 1
    assert person.registered_by == STAFF
    assert (person.died_on, person.merged_into, person.pending_transfer) == (None, None, None)
    assert person.preferential_card == {"status": "none"}
    assert person.key_contact_reasons(TODAY) == []


def test_the_id_number_claim_is_derived_from_the_hash_alone() -> None:
    assert IdNumberClaim.create_id("abc") == IdNumberClaim.create_id("abc") != IdNumberClaim.create_id("abd")
    person_id = uuid4()
    claim = IdNumberClaim(id_number_hash="abc", person_id=person_id)
    assert (claim.id, claim.person_id) == (IdNumberClaim.create_id("abc"), person_id)


# The changes a record takes, and a deceased or merged record refuses -------------------------------------------

Change = Callable[[Person, Actor, str | None], None]

CORRECTABLE: list[Any] = [
    pytest.param(
        lambda p, a, r: p.update_profile({"housing": "自有住房，年久失修"}, a, r),
        "ProfileUpdated",
        lambda p: p.profile == {"housing": "自有住房，年久失修"},
        id="profile",
    ),
    pytest.param(
        lambda p, a, r: p.change_contact("13812345678", "鼓楼区某某路 1 号", a, r),
        "ContactChanged",
        lambda p: (p.phone, p.address) == ("13812345678", "鼓楼区某某路 1 号"),
        id="contact",
    ),
    pytest.param(
        lambda p, a, r: p.change_categories(["demobilized_soldier", "disabled_militia"], a, r),
        "CategoriesChanged",
        lambda p: p.categories == ["demobilized_soldier", "disabled_militia"],
        id="categories",
    ),
    pytest.param(
        lambda p, a, r: p.change_service_record({"branch": "海军", "rank": "中士"}, a, r),
        "ServiceRecordChanged",
        lambda p: p.service == {"branch": "海军", "rank": "中士"},
        id="service record",
    ),
    pytest.param(
        lambda p, a, r: p.add_honour({"title": "三等功", "awarded_on": "1981-08-01"}, a, r),
        "HonourAdded",
        lambda p: [h["title"] for h in p.honours] == ["三等功"],
        id="honour",
    ),
    pytest.param(
        lambda p, a, r: p.assess_disability(9, "因战", "闽残 0002", a, r),
        "DisabilityAssessed",
        lambda p: (p.disability or {}).get("level") == 9 and p.disability["certificate_no"] == "闽残 0002",
        id="disability",
    ),
]


@pytest.mark.parametrize(("change", "event_name", "expect"), CORRECTABLE)
def test_an_active_record_takes_each_change_without_a_reason(
    change: Change, event_name: str, expect: Callable[[Person], bool]
) -> None:
    person = registered()
    change(person, STAFF, None)
    (event,) = person.collect_events()
    assert type(event).__name__ == event_name
    assert event.actor == STAFF  # type: ignore[attr-defined]
    assert event.correction_reason is None  # type: ignore[attr-defined]
    assert expect(person)
    assert person.version == 2


@pytest.mark.parametrize("reason", [None, "", "   "], ids=["no reason", "empty", "blank"])
@pytest.mark.parametrize(("change", "event_name", "expect"), CORRECTABLE)
def test_a_deceased_record_refuses_each_change_without_a_reason(
    change: Change, event_name: str, expect: Callable[[Person], bool], reason: str | None
) -> None:
    person = deceased()
    with refused(person, PersonDeceased):
        change(person, OFFICER, reason)


@pytest.mark.parametrize(("change", "event_name", "expect"), CORRECTABLE)
def test_a_deceased_record_takes_each_change_as_a_correction_with_its_reason(
    change: Change, event_name: str, expect: Callable[[Person], bool]
) -> None:
    person = deceased(registered())
    change(person, OFFICER, REASON)
    (event,) = person.collect_events()
    assert (type(event).__name__, event.correction_reason) == (event_name, REASON)  # type: ignore[attr-defined]
    assert expect(person)
    assert person.status == PersonStatus.deceased


@pytest.mark.parametrize("reason", [None, REASON], ids=["no reason", "with a reason"])
@pytest.mark.parametrize(("change", "event_name", "expect"), CORRECTABLE)
def test_a_merged_record_refuses_every_change_even_as_a_correction(
    change: Change, event_name: str, expect: Callable[[Person], bool], reason: str | None
) -> None:
    person = merged()
    with refused(person, NotActive):
        change(person, OFFICER, reason)


def with_card_applied() -> Person:
    person = prepared()
    person.apply_for_preferential_card(STAFF)
    person.collect_events()
    return person


# Each command that needs an active record, and a record on which it would otherwise succeed.
ACTIVE_ONLY: list[Any] = [
    pytest.param(lambda p: p.designate_key_contact(KeyContactReason.other, "", STAFF), prepared, id="designate"),
    pytest.param(lambda p: p.remove_key_contact(KeyContactReason.unemployed, "已就业", STAFF), prepared, id="remove"),
    pytest.param(lambda p: p.apply_for_preferential_card(STAFF), prepared, id="apply for the card"),
    pytest.param(lambda p: p.issue_preferential_card("YD001", TODAY, STAFF), with_card_applied, id="issue the card"),
    pytest.param(lambda p: p.replace_disability_certificate("新证 01", STAFF), prepared, id="replace certificate"),
    pytest.param(lambda p: p.record_annual_confirmation(2025, TODAY, "", STAFF), prepared, id="annual confirmation"),
    pytest.param(lambda p: p.request_transfer(str(uuid4()), VILLAGE_B, STAFF), prepared, id="request a transfer"),
]


@pytest.mark.parametrize(("command", "ready"), ACTIVE_ONLY)
def test_an_active_record_takes_each_active_only_command(
    command: Callable[[Person], None], ready: Callable[[], Person]
) -> None:
    person = ready()
    command(person)
    assert len(person.collect_events()) == 1


@pytest.mark.parametrize("close", [deceased, merged], ids=["deceased", "merged"])
@pytest.mark.parametrize(("command", "ready"), ACTIVE_ONLY)
def test_a_deceased_or_merged_record_refuses_every_active_only_command(
    command: Callable[[Person], None], ready: Callable[[], Person], close: Callable[[Person], Person]
) -> None:
    person = close(ready())
    with refused(person, NotActive):
        command(person)


def test_refusals_of_a_closed_record_are_conflicts_answered_409() -> None:
    assert issubclass(PersonDeceased, Conflict)
    assert issubclass(NotActive, Conflict)
    assert issubclass(TransferPending, Conflict)
    assert PersonDeceased.status_code == NotActive.status_code == 409


# Key contacts (重点联系对象) --------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", sorted(DERIVED_REASONS))
def test_a_derived_reason_cannot_be_designated_by_hand(reason: str) -> None:
    person = registered()
    with refused(person, Invalid, "reason"):
        person.designate_key_contact(reason, "", STAFF)


@pytest.mark.parametrize("reason", sorted(set(KeyContactReason) - DERIVED_REASONS))
def test_a_manual_reason_is_designated_with_a_note_and_removed(reason: str) -> None:
    person = registered()
    person.designate_key_contact(reason, "独居，收入低", STAFF)
    assert person.designations == {reason: "独居，收入低"}
    assert person.key_contact_reasons(TODAY) == [reason]
    person.remove_key_contact(reason, "情况好转", STAFF)
    assert recorded(person) == ["KeyContactDesignated", "KeyContactRemoved"]
    assert person.key_contact_reasons(TODAY) == []


def test_removing_a_reason_that_was_never_designated_is_refused() -> None:
    person = registered()
    person.designate_key_contact(KeyContactReason.unemployed, "", STAFF)
    person.collect_events()
    with refused(person, Invalid, "reason"):
        person.remove_key_contact(KeyContactReason.extremely_poor, "", STAFF)


@pytest.mark.parametrize(
    ("level", "severe"), [(1, True), (5, True), (6, True), (7, False), (10, False)], ids=lambda v: str(v)
)
def test_disability_level_1_to_6_is_a_derived_reason(level: int, severe: bool) -> None:
    person = registered()
    person.assess_disability(level, "因战", "闽残 0001", STAFF)
    assert (KeyContactReason.severely_disabled in person.key_contact_reasons(TODAY)) is severe


@pytest.mark.parametrize(
    ("title", "meritorious"),
    [
        ("特等功", True),
        ("一等功", True),
        ("二等功", True),
        ("一级英雄模范", True),
        ("二级英雄模范", True),
        ("三等功", False),
        ("模范", False),
        ("最美退役军人", False),
    ],
)
def test_second_class_merit_or_higher_is_a_derived_reason(title: str, meritorious: bool) -> None:
    person = registered()
    person.add_honour({"title": title}, STAFF)
    assert (KeyContactReason.meritorious in person.key_contact_reasons(TODAY)) is meritorious


@pytest.mark.parametrize(
    ("categories", "martyr"),
    [
        (["martyr_survivor"], True),
        (["active_duty_family", "martyr_survivor"], True),
        (["duty_death_survivor"], False),
        (["illness_death_survivor"], False),
        (["discharged_soldier"], False),
    ],
)
def test_a_martyrs_survivor_is_a_derived_reason(categories: list[str], martyr: bool) -> None:
    person = registered(categories=categories)
    assert (KeyContactReason.martyr_survivor in person.key_contact_reasons(TODAY)) is martyr


@pytest.mark.parametrize(
    ("birth_date", "today", "aged_80"),
    [
        pytest.param(date(1946, 6, 1), date(2026, 6, 1), True, id="80th birthday today"),
        pytest.param(date(1946, 6, 2), date(2026, 6, 1), False, id="80th birthday tomorrow"),
        pytest.param(date(1946, 5, 31), date(2026, 6, 1), True, id="80th birthday yesterday"),
        pytest.param(date(1925, 1, 1), date(2026, 6, 1), True, id="101 years old"),
        pytest.param(date(1960, 8, 1), date(2026, 6, 1), False, id="65 years old"),
        pytest.param(date(1946, 12, 31), date(2026, 12, 31), True, id="born on 31 December"),
        pytest.param(date(1947, 2, 28), date(2027, 2, 28), True, id="28 February in a common year"),
        pytest.param(date(1948, 2, 29), date(2028, 2, 28), False, id="born on 29 February, the day before"),
        pytest.param(date(1948, 2, 29), date(2028, 2, 29), True, id="born on 29 February, on 29 February"),
        pytest.param(date(2020, 2, 29), date(2100, 2, 28), True, id="born on 29 February, 28 February of 2100"),
        pytest.param(date(1948, 3, 1), date(2028, 2, 29), False, id="born on 1 March, on 29 February"),
    ],
)
def test_aged_80_or_over_is_derived_from_the_birth_date(birth_date: date, today: date, aged_80: bool) -> None:
    person = registered(birth_date=birth_date)
    assert (KeyContactReason.aged_80_or_over in person.key_contact_reasons(today)) is aged_80
    assert (birth_date <= born_on_or_before(today)) is aged_80
    assert KeyContactReason.aged_80_or_over not in person.standing_key_contact_reasons()


@pytest.mark.parametrize("age", [60, 80, 81])
@pytest.mark.parametrize("years", [(2026, 2030), (2099, 2101)], ids=["2026-2029", "2099-2100"])
def test_born_on_or_before_and_age_on_agree_with_the_anniversary_every_day(age: int, years: tuple[int, int]) -> None:
    """年满N周岁 as the alerts count it (Civil Code art. 202): 29 February is 28 February in a common year."""
    day = date(years[0], 1, 1)
    while day < date(years[1], 1, 1):
        latest = born_on_or_before(day, age)
        after = latest + timedelta(days=1)
        assert anniversary(latest, age) <= day < anniversary(after, age), (day, latest)
        assert age_on(latest, day) == age, (day, latest)
        assert age_on(after, day) == age - 1, (day, latest)
        day += timedelta(days=1)


def test_someone_born_on_29_february_is_a_year_older_on_28_february_of_a_common_year() -> None:
    assert age_on(date(1948, 2, 29), date(2027, 2, 28)) == 79
    assert age_on(date(1948, 2, 29), date(2027, 2, 27)) == 78
    assert age_on(date(1948, 2, 29), date(2028, 2, 28)) == 79
    assert age_on(date(1948, 2, 29), date(2028, 2, 29)) == 80


def test_every_derived_reason_and_a_designation_together_sorted_once() -> None:
    person = registered(birth_date=date(1940, 1, 1), categories=["disabled_soldier", "martyr_survivor"])
    person.assess_disability(3, "因战", "闽残 0001", STAFF)
    person.add_honour({"title": "一等功"}, STAFF)
    person.add_honour({"title": "二等功"}, STAFF)
    person.designate_key_contact(KeyContactReason.widowed_orphaned_alone, "独居", STAFF)
    assert person.key_contact_reasons(TODAY) == sorted(
        [
            KeyContactReason.aged_80_or_over,
            KeyContactReason.martyr_survivor,
            KeyContactReason.meritorious,
            KeyContactReason.severely_disabled,
            KeyContactReason.widowed_orphaned_alone,
        ]
    )


# The preferential-treatment card (优待证) and the disability certificate -------------------------------------------


def test_the_card_is_applied_for_then_issued() -> None:
    person = registered()
    person.apply_for_preferential_card(STAFF)
    assert person.preferential_card == {"status": "applied"}
    person.issue_preferential_card("YD001", date(2026, 5, 20), STAFF)
    assert person.preferential_card == {"status": "issued", "card_no": "YD001", "issued_on": "2026-05-20"}
    assert recorded(person) == ["PreferentialCardApplied", "PreferentialCardIssued"]


@pytest.mark.parametrize(
    ("steps", "attempt"),
    [
        pytest.param([], "issue", id="issued before it was applied for"),
        pytest.param(["apply"], "apply", id="applied for twice"),
        pytest.param(["apply", "issue"], "apply", id="applied for once issued"),
        pytest.param(["apply", "issue"], "issue", id="issued twice"),
    ],
)
def test_the_card_refuses_steps_out_of_order(steps: list[str], attempt: str) -> None:
    person = registered()

    def step(name: str) -> None:
        if name == "apply":
            person.apply_for_preferential_card(STAFF)
        else:
            person.issue_preferential_card("YD001", TODAY, STAFF)

    for name in steps:
        step(name)
    person.collect_events()
    with refused(person, Invalid, "action"):
        step(attempt)


def test_a_disability_is_first_assessed_with_an_old_style_certificate() -> None:
    person = registered()
    person.assess_disability(5, "因战", "旧证 01", STAFF)
    assert person.disability == {"level": 5, "cause": "因战", "certificate_no": "旧证 01", "certificate_style": "old"}


def test_replacing_the_certificate_gives_the_new_style_and_a_reassessment_keeps_it() -> None:
    person = registered()
    person.assess_disability(5, "因战", "旧证 01", STAFF)
    person.replace_disability_certificate("新证 01", STAFF)
    assert person.disability == {"level": 5, "cause": "因战", "certificate_no": "新证 01", "certificate_style": "new"}
    person.assess_disability(4, "因战", "新证 02", STAFF)
    assert person.disability == {"level": 4, "cause": "因战", "certificate_no": "新证 02", "certificate_style": "new"}
    assert recorded(person) == ["DisabilityAssessed", "DisabilityCertificateReplaced", "DisabilityAssessed"]


def test_no_certificate_is_replaced_without_a_disability() -> None:
    person = registered()
    with refused(person, Invalid, "action"):
        person.replace_disability_certificate("新证 01", STAFF)


# Annual confirmation (年度确认) -------------------------------------------------------------------------------------


def test_an_annual_confirmation_is_recorded_once_per_year() -> None:
    person = registered()
    person.record_annual_confirmation(2025, date(2025, 11, 3), "本人到场确认", STAFF)
    person.collect_events()
    with refused(person, Invalid, "year"):
        person.record_annual_confirmation(2025, TODAY, "again", OFFICER)
    person.record_annual_confirmation(2026, TODAY, "", OFFICER)
    assert person.confirmations == [
        {"year": 2025, "confirmed_on": "2025-11-03", "note": "本人到场确认", "confirmed_by": "staff-1"},
        {"year": 2026, "confirmed_on": "2026-06-01", "note": "", "confirmed_by": "officer-1"},
    ]


# Survivors (遗属) ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("category", sorted(SURVIVOR_CATEGORIES))
def test_linking_a_survivor_records_the_link_and_adds_the_category_once(category: str) -> None:
    widow = registered(name="陈桂兰", sex="female", categories=["active_duty_family"])
    first, second = str(uuid4()), str(uuid4())
    widow.link_survivor(first, "spouse", category, STAFF, veteran_registered=True)
    widow.link_survivor(second, "child", category, STAFF, veteran_registered=True)
    assert widow.survivor_of == [
        {"veteran_id": first, "relation": "spouse", "category": category},
        {"veteran_id": second, "relation": "child", "category": category},
    ]
    assert widow.categories == ["active_duty_family", category]


@pytest.mark.parametrize(
    ("make", "category", "own", "error", "field"),
    [
        pytest.param(registered, "discharged_soldier", False, Invalid, "category", id="not a survivor category"),
        pytest.param(registered, "martyr_survivor", True, Invalid, "veteran_id", id="their own survivor"),
        pytest.param(deceased, "martyr_survivor", False, PersonDeceased, None, id="deceased"),
        pytest.param(merged, "martyr_survivor", False, NotActive, None, id="merged"),
        pytest.param(registered, "martyr_survivor", None, NotFound, None, id="veteran not registered"),
    ],
)
def test_a_survivor_link_is_refused(
    make: Callable[[], Person], category: str, own: bool | None, error: type[DomainError], field: str | None
) -> None:
    """`own` None: a veteran the registry does not have."""
    person = make()
    veteran_id = str(person.id) if own else str(uuid4())
    with refused(person, error, field):
        person.link_survivor(veteran_id, "spouse", category, STAFF, veteran_registered=own is not None)


# Death and its correction -----------------------------------------------------------------------------------------


def test_a_death_closes_the_record_and_drops_a_pending_transfer() -> None:
    person = registered()
    person.request_transfer("transfer-1", VILLAGE_B, STAFF)
    person.record_death(date(2024, 2, 10), STAFF)
    assert (person.status, person.died_on, person.pending_transfer) == (PersonStatus.deceased, date(2024, 2, 10), None)
    assert recorded(person) == ["TransferRequested", "Died"]


@pytest.mark.parametrize(
    ("make", "died_on", "error", "field"),
    [
        pytest.param(deceased, date(2024, 3, 1), PersonDeceased, None, id="a second death"),
        pytest.param(registered, date(1950, 1, 1), Invalid, "date", id="before birth"),
        pytest.param(merged, date(2024, 3, 1), NotActive, None, id="a merged record"),
    ],
)
def test_a_death_is_refused(
    make: Callable[[], Person], died_on: date, error: type[DomainError], field: str | None
) -> None:
    person = make()
    with refused(person, error, field):
        person.record_death(died_on, STAFF)


def test_a_death_on_the_day_of_birth_is_recorded() -> None:
    person = registered()
    person.record_death(person.birth_date, STAFF)
    assert person.status == PersonStatus.deceased


def test_an_officer_corrects_the_date_of_death_with_a_reason() -> None:
    person = deceased(registered())
    person.correct_death(date(2024, 1, 5), REASON, OFFICER)
    (event,) = person.collect_events()
    assert (type(event).__name__, event.correction_reason) == ("DeathCorrected", REASON)  # type: ignore[attr-defined]
    assert (person.status, person.died_on) == (PersonStatus.deceased, date(2024, 1, 5))


def test_a_death_recorded_in_error_is_revoked_and_the_record_takes_changes_again() -> None:
    person = deceased(registered())
    person.correct_death(None, REASON, OFFICER)
    assert (person.status, person.died_on) == (PersonStatus.active, None)
    person.change_contact("13812345678", None, STAFF)
    person.apply_for_preferential_card(STAFF)
    assert recorded(person) == ["DeathCorrected", "ContactChanged", "PreferentialCardApplied"]


@pytest.mark.parametrize(
    ("make", "died_on", "reason", "field"),
    [
        pytest.param(registered, date(2024, 1, 5), REASON, "date", id="no death recorded"),
        pytest.param(deceased, date(2024, 1, 5), "   ", "correction_reason", id="without a reason"),
        pytest.param(deceased, None, "", "correction_reason", id="revoked without a reason"),
        pytest.param(deceased, date(1950, 1, 1), REASON, "date", id="before birth"),
        pytest.param(merged, None, REASON, "date", id="a merged record"),
    ],
)
def test_a_correction_of_death_is_refused(
    make: Callable[[], Person], died_on: date | None, reason: str, field: str
) -> None:
    person = make()
    with refused(person, Invalid, field):
        person.correct_death(died_on, reason, OFFICER)


# Transfers (迁移) -----------------------------------------------------------------------------------------------------


def test_a_requested_transfer_completes_in_the_new_region() -> None:
    person = registered()
    person.request_transfer("transfer-1", VILLAGE_B, STAFF)
    assert (person.pending_transfer, person.region) == ("transfer-1", VILLAGE_A)
    person.complete_transfer("transfer-1", VILLAGE_B, STAFF)
    assert (person.pending_transfer, person.region) == (None, VILLAGE_B)
    requested, transferred = person.collect_events()
    assert type(requested).__name__ == "TransferRequested"
    assert (transferred.from_region, transferred.to_region) == (VILLAGE_A, VILLAGE_B)  # type: ignore[attr-defined]


def test_a_cancelled_transfer_leaves_the_region_and_allows_another() -> None:
    person = registered()
    person.request_transfer("transfer-1", VILLAGE_B, STAFF)
    person.cancel_transfer("transfer-1", STAFF)
    assert (person.pending_transfer, person.region) == (None, VILLAGE_A)
    person.request_transfer("transfer-2", VILLAGE_B, STAFF)
    assert recorded(person) == ["TransferRequested", "TransferCancelled", "TransferRequested"]


def test_cancelling_a_transfer_that_is_not_pending_records_nothing() -> None:
    person = registered()
    person.request_transfer("transfer-1", VILLAGE_B, STAFF)
    person.collect_events()
    person.cancel_transfer("transfer-0", STAFF)
    assert person.collect_events() == []
    assert person.pending_transfer == "transfer-1"


def test_a_second_pending_transfer_is_refused() -> None:
    person = registered()
    person.request_transfer("transfer-1", VILLAGE_B, STAFF)
    person.collect_events()
    with refused(person, TransferPending):
        person.request_transfer("transfer-2", "350103001001", STAFF)


def test_a_transfer_to_the_current_region_is_refused() -> None:
    person = registered()
    with refused(person, Invalid, "to_region"):
        person.request_transfer("transfer-1", VILLAGE_A, STAFF)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: registered(), id="never requested"),
        pytest.param(lambda: deceased(_requested()), id="the person died meanwhile"),
        pytest.param(lambda: merged(_requested()), id="the record was merged meanwhile"),
    ],
)
def test_a_transfer_that_is_no_longer_pending_cannot_complete(make: Callable[[], Person]) -> None:
    person = make()
    with refused(person, Invalid, "transfer_id"):
        person.complete_transfer("transfer-1", VILLAGE_B, STAFF)


def _requested() -> Person:
    person = registered()
    person.request_transfer("transfer-1", VILLAGE_B, STAFF)
    person.collect_events()
    return person


def test_the_transfer_is_accepted_once_by_the_receiving_side() -> None:
    transfer = Transfer(person_id="p", from_region=VILLAGE_A, to_region=VILLAGE_B, reason="投靠子女", actor=STAFF)
    transfer.collect_events()
    assert (transfer.status, transfer.requested_by, transfer.decided_by) == ("pending", STAFF, None)
    transfer.accept(OFFICER)
    assert (transfer.status, transfer.decided_by) == ("accepted", OFFICER)
    assert recorded(transfer) == ["Accepted"]
    for decide in (lambda: transfer.accept(OFFICER), lambda: transfer.reject("", OFFICER)):
        with refused(transfer, Invalid, "transfer_id"):
            decide()


def test_the_transfer_is_rejected_once_with_a_note() -> None:
    transfer = Transfer(person_id="p", from_region=VILLAGE_A, to_region=VILLAGE_B, reason="投靠子女", actor=STAFF)
    transfer.reject("材料不全，请补充户籍证明", OFFICER)
    assert (transfer.status, transfer.decision_note, transfer.decided_by) == (
        "rejected",
        "材料不全，请补充户籍证明",
        OFFICER,
    )
    transfer.collect_events()
    with refused(transfer, Invalid, "transfer_id"):
        transfer.accept(OFFICER)
    with pytest.raises(Invalid, match="退回"):
        transfer.check_pending()


# Merging and possible duplicates (疑似重复) ---------------------------------------------------------------------------


def test_a_merged_record_names_the_record_it_was_merged_into() -> None:
    person = registered()
    kept = str(uuid4())
    person.merge_into(kept, OFFICER)
    assert (person.status, person.merged_into) == (PersonStatus.merged, kept)
    assert recorded(person) == ["MergedInto"]


def test_a_merger_drops_a_pending_transfer_as_a_death_does() -> None:
    person = _requested()
    person.merge_into(str(uuid4()), OFFICER)
    assert (person.status, person.pending_transfer, person.region) == (PersonStatus.merged, None, VILLAGE_A)


@pytest.mark.parametrize(
    ("make", "error"), [(deceased, PersonDeceased), (merged, NotActive)], ids=["deceased", "merged already"]
)
def test_a_closed_record_is_not_merged(make: Callable[[], Person], error: type[DomainError]) -> None:
    person = make()
    with refused(person, error):
        person.merge_into(str(uuid4()), OFFICER)


def test_a_duplicate_case_is_one_per_set_of_records_in_any_order() -> None:
    first, second = str(uuid4()), str(uuid4())
    assert DuplicateCase.create_id([first, second]) == DuplicateCase.create_id([second, first])
    assert DuplicateCase.create_id([first, second]) != DuplicateCase.create_id([first, str(uuid4())])
    case = DuplicateCase(person_ids=[first, second], region="350102", name="张三", birth_date=date(1960, 8, 1))
    assert case.id == DuplicateCase.create_id([second, first])
    assert (case.status, case.outcome) == ("open", None)


@pytest.mark.parametrize("outcome", ["same_person", "different_people"])
def test_a_duplicate_case_is_resolved_once(outcome: str) -> None:
    case = DuplicateCase(person_ids=["a", "b"], region="350102", name="张三", birth_date=date(1960, 8, 1))
    case.collect_events()
    case.resolve(outcome, "a" if outcome == "same_person" else None, "", OFFICER)
    assert (case.status, case.outcome) == ("resolved", outcome)
    assert recorded(case) == ["Resolved"]
    for other in ("same_person", "different_people"):
        with refused(case, Invalid, "case_id"):
            case.resolve(other, None, "again", OFFICER)


# Import jobs and the access log -----------------------------------------------------------------------------------


def test_an_import_job_adds_up_its_batches_and_finishes() -> None:
    job = ImportJob(filename="台账.xlsx", file_hash="h", region="350102", actor=STAFF)
    assert (job.status, job.rows, job.next_row) == ("running", 0, 0)
    job.record_batch(next_row=500, registered=490, already_registered=8, rejected=[{"row": 7}, {"row": 9}])
    job.record_batch(next_row=620, registered=120, already_registered=0, rejected=[])
    assert (job.rows, job.next_row, job.registered, job.already_registered) == (620, 620, 610, 8)
    assert job.rejected == [{"row": 7}, {"row": 9}]
    job.finish("finished", "620 行")
    assert (job.status, job.message) == ("finished", "620 行")
    assert recorded(job) == ["Started", "BatchRecorded", "BatchRecorded", "Finished"]


def test_a_read_in_clear_records_who_which_fields_and_why() -> None:
    access = DataAccess(person_id="p", region=VILLAGE_A, fields=["id_number"], purpose="办理优待证", actor=STAFF)
    assert (access.person_id, access.region, access.fields, access.purpose, access.actor) == (
        "p",
        VILLAGE_A,
        ["id_number"],
        "办理优待证",
        STAFF,
    )
    assert recorded(access) == ["PersonalDataRevealed"]
