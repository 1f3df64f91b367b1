"""The tally alone (no store): what events do to the counters of every region level and period."""

from __future__ import annotations

from datetime import UTC, datetime

from reporting.statistics import BY_TOPIC, FAMILIES
from reporting.statistics.periods import parse_period
from reporting.statistics.tally import CounterKey, Tally, fold
from vet_contracts import Actor, IntegrationEvent
from vet_devtools.testing.people import RegistryFeed

Totals = dict[CounterKey, dict[str, int]]


def tally(*events: object) -> Totals:
    counting = Tally(FAMILIES)
    totals: Totals = {}
    for position, event in enumerate(events, start=1):
        fold(totals, counting.apply(event.model_dump(mode="json"), position))  # type: ignore[attr-defined]
    return totals


def figure(totals: Totals, region: str, name: str, period: str = "all") -> int:
    return totals.get(("people", period, region), {}).get(name, 0)


def test_a_registration_counts_at_every_level_and_in_each_period() -> None:
    feed = RegistryFeed()
    totals = tally(feed.registered("p-1", categories=["disabled_soldier"], disability_level=3, household="rural"))
    for region in ("35", "3501", "350102", "350102001", "350102001001"):
        assert figure(totals, region, "people") == 1
        assert figure(totals, region, "category.disabled_soldier") == 1
        assert figure(totals, region, "disability.3") == 1
        assert figure(totals, region, "household.rural") == 1
        for period in ("all", "2026", "2026-Q3", "2026-08"):
            assert figure(totals, region, "registered", period) == 1
    assert figure(totals, "3502", "people") == 0


def test_a_change_moves_a_person_instead_of_counting_them_twice() -> None:
    feed = RegistryFeed()
    totals = tally(
        feed.registered("p-1"),
        feed.event("CategoriesChanged", "p-1", categories=["martyr_survivor"]),
        feed.event("KeyContactDesignated", "p-1", key_contact_reasons=["martyr_survivor"], reason="martyr_survivor"),
        feed.transferred("p-1", "350103001002"),
    )
    assert figure(totals, "3501", "people") == 1  # moved within the city
    assert figure(totals, "350102", "people") == 0
    assert figure(totals, "350103", "people") == 1
    assert figure(totals, "350103", "category.martyr_survivor") == 1
    assert figure(totals, "350103", "category.discharged_soldier") == 0
    assert figure(totals, "350103", "key_contact.martyr_survivor") == 1
    assert figure(totals, "350102", "transferred_out") == 1
    assert figure(totals, "350103", "transferred_in") == 1


def test_a_death_leaves_the_person_only_under_status() -> None:
    feed = RegistryFeed()
    totals = tally(feed.registered("p-1"), feed.registered("p-2"), feed.died("p-1"))
    assert figure(totals, "350102", "people") == 1
    assert figure(totals, "350102", "status.deceased") == 1
    assert figure(totals, "350102", "status.active") == 1
    assert figure(totals, "350102", "category.discharged_soldier") == 1
    assert figure(totals, "350102", "died", "2026-08") == 1


def test_a_replayed_event_moves_no_standing_twice() -> None:
    feed = RegistryFeed()
    counting = Tally(FAMILIES)
    event = feed.registered("p-1").model_dump(mode="json")
    assert counting.apply(event, 1)[("people", "all", "35")]["people"] == 1
    again = counting.apply(event, 1)  # a replay of the same position
    assert {name for counts in again.values() for name in counts} == {"registered"}  # the counters' guard's job


def test_periods_parse_and_follow_each_other() -> None:
    assert parse_period("2026-Q3").later_until(datetime(2027, 2, 1, tzinfo=UTC).date()) == ["2026-Q4", "2027-Q1"]
    assert parse_period("2026-11").last_day.isoformat() == "2026-11-30"  # type: ignore[union-attr]
    assert parse_period(None).kind == "all"


def contact(person_id: str, contacted_on: str, region: str = "350102001001") -> IntegrationEvent:
    return IntegrationEvent.build(
        type="ContactRecorded",
        source="outreach",
        source_position=int(contacted_on.replace("-", "")) + len(person_id),
        aggregate_id=f"c-{person_id}-{contacted_on}",
        aggregate_version=1,
        occurred_at=datetime(2026, 9, 1, tzinfo=UTC),
        actor=Actor(sub="staff-1", role="station_staff"),
        region=region,
        data={
            "contact_id": f"c-{person_id}-{contacted_on}",
            "person_id": person_id,
            "method": "phone",
            "contacted_on": contacted_on,
            "staff": "staff-1",
            "needs_follow_up": False,
            "occasion": None,
            "campaign_id": None,
            "group_id": None,
        },
    )


def test_key_contacts_reached_count_each_person_once_a_quarter() -> None:
    feed = RegistryFeed()
    totals = tally(
        feed.registered("p-1", key_contact_reasons=["unemployed"]),
        feed.registered("p-2", key_contact_reasons=["martyr_survivor"]),
        feed.registered("p-3"),
        contact("p-1", "2026-07-03"),
        contact("p-1", "2026-08-20"),  # again in the quarter: still one person reached
        contact("p-3", "2026-07-04"),  # not a key contact
        contact("p-1", "2026-10-02"),  # the next quarter
    )
    q3 = totals[("contacts", "2026-Q3", "350102")]
    assert q3["contacts"] == 3
    assert q3["people_reached"] == 2
    assert q3["key_contacts_reached"] == 1
    assert totals[("contacts", "all", "350102")]["key_contacts"] == 2
    assert totals[("contacts", "2026-Q4", "350102")]["key_contacts_reached"] == 1
    family = BY_TOPIC["contacts"]
    assert family.derive({"key_contacts": 2, "key_contacts_reached": 1}) == {"key_contact_coverage": 0.5}


def test_a_code_the_division_table_does_not_know_is_still_counted() -> None:
    feed = RegistryFeed()
    totals = tally(feed.registered("p-1", "350527000003"))  # a village under a township coded 000
    assert figure(totals, "350527000", "people") == 1
    assert figure(totals, "35", "people") == 1


def test_an_event_whose_data_does_not_fit_its_type_is_counted_by_nobody() -> None:
    feed = RegistryFeed()
    broken = feed.registered("p-1").model_copy(update={"data": {"person_id": "p-1"}})
    totals = tally(broken, feed.registered("p-2"))
    assert figure(totals, "35", "people") == 1


def request_event(position: int, type_: str, status: str, **data: object) -> IntegrationEvent:
    facts = {"request_id": "r-1", "person_id": "p-1", "category": "housing", "grade": "ordinary", "status": status}
    return IntegrationEvent.build(
        type=type_,
        source="outreach",
        source_position=position,
        aggregate_id="r-1",
        aggregate_version=position,
        occurred_at=datetime(2026, 9, 1, tzinfo=UTC),
        actor=Actor(sub="staff-1", role="station_staff"),
        region="350102001001",
        data={**facts, **data},
    )


def test_requests_count_in_the_period_of_their_own_dates_and_open_ones_as_a_stock() -> None:
    registered = {"registered_on": "2026-07-03", "deadline": "2026-07-18", "responsible_region": "350102001"}
    totals = tally(
        request_event(1, "RequestRegistered", "registered", found_in_contact_id=None, rules_version=0, **registered),
        request_event(
            2,
            "RequestEscalated",
            "registered",
            escalated_on="2026-07-20",
            supervised_by="350102",
            level=1,
            automatic=True,
        ),
        request_event(3, "RequestResolved", "resolved", resolved_on="2026-08-02"),
        request_event(
            4, "RequestFollowedUp", "resolved", followed_up_on="2026-08-09", satisfaction="satisfied", contact_id=None
        ),
    )
    july = totals[("requests", "2026-07", "350102")]
    assert (july["registered"], july["category.housing"], july["escalated_overdue"]) == (1, 1, 1)
    august = totals[("requests", "2026-08", "350102")]
    assert (august["resolved"], august["satisfaction.satisfied"]) == (1, 1)
    assert totals[("requests", "all", "350102")]["open"] == 0  # resolved: no longer open
    assert totals[("requests", "2026-07", "350102")]["open"] == 1  # it was open through July
    assert BY_TOPIC["requests"].derive({"followed_up": 1, "satisfaction.satisfied": 1}) == {"satisfaction_rate": 1.0}
