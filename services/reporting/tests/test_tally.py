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


def envelope(
    type_: str,
    position: int,
    data: dict[str, object],
    region: str = "350102001001",
    source: str = "outreach",
    at: datetime = datetime(2026, 9, 1, tzinfo=UTC),
) -> IntegrationEvent:
    """An upstream event as its relay publishes it (the tally reads its type, region, time and data)."""
    return IntegrationEvent.build(
        type=type_,
        source=source,
        source_position=position,
        aggregate_id=f"{source}-{position}",
        aggregate_version=1,
        occurred_at=at,
        actor=Actor(sub="staff-1", role="station_staff"),
        region=region,
        data=data,
    )


def contact(person_id: str, contacted_on: str, region: str = "350102001001") -> IntegrationEvent:
    return envelope(
        "ContactRecorded",
        int(contacted_on.replace("-", "")) + len(person_id),
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
    derived = BY_TOPIC["contacts"].derive({"key_contacts": 2, "key_contacts_reached": 1})
    assert (derived["key_contact_coverage"], derived["key_contacts_unreached"]) == (0.5, 1)


def contact_change(type_: str, contact_id: str, person_id: str, **data: object) -> IntegrationEvent:
    """A ContactCorrected (with the contact's state after it) or a ContactWithdrawn."""
    data = {"contact_id": contact_id, "person_id": person_id, **data}
    return envelope(type_, 100, data, at=datetime(2026, 10, 5, tzinfo=UTC))


def test_a_withdrawn_contact_stops_counting_and_a_corrected_one_moves_to_its_new_day() -> None:
    feed = RegistryFeed()
    corrected = {"corrected": ["contacted_on", "method"], "staff": "staff-1", "needs_follow_up": False}
    totals = tally(
        feed.registered("p-1", key_contact_reasons=["unemployed"]),
        contact("p-1", "2026-07-03"),
        contact("p-1", "2026-08-20"),
        contact_change("ContactWithdrawn", "c-p-1-2026-07-03", "p-1"),  # one of two: p-1 still reached in Q3
        contact_change(
            "ContactCorrected",
            "c-p-1-2026-08-20",
            "p-1",
            method="home_visit",
            contacted_on="2026-10-02",
            occasion=None,
            **corrected,
        ),
    )
    q3, q4 = totals[("contacts", "2026-Q3", "350102")], totals[("contacts", "2026-Q4", "350102")]
    assert (q3["contacts"], q3["method.phone"], q3["people_reached"], q3["key_contacts_reached"]) == (0, 0, 0, 0)
    assert (q4["contacts"], q4["home_visits"], q4["key_contacts_reached"]) == (1, 1, 1)
    year = totals[("contacts", "2026", "350102")]
    assert (year["key_contacts_visited"], year["people_visited"]) == (1, 1)


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
    return envelope(type_, position, {**facts, **data})


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
    assert totals[("requests", "2026-07", "350102")]["overdue"] == 1  # escalated by the daily run, still open
    assert totals[("requests", "all", "350102")]["overdue"] == 0
    # Registered 3 July, due 18 July, resolved 2 August: 30 days, late.
    assert (august["days_to_resolve"], august["resolved_timed"], august["resolved_late"]) == (30, 1, 1)
    derived = BY_TOPIC["requests"].derive({**august, "followed_up": 1, "satisfaction.satisfied": 1})
    assert derived == {"satisfaction_rate": 1.0, "average_days_to_resolve": 30.0, "on_time_rate": 0.0}


def test_a_reopened_request_is_timed_from_its_reopening_and_no_longer_overdue() -> None:
    registered = {"registered_on": "2026-07-03", "deadline": "2026-07-18", "responsible_region": "350102001"}
    escalated = {"escalated_on": "2026-07-20", "supervised_by": "350102", "level": 1, "automatic": True}
    events = [
        request_event(1, "RequestRegistered", "registered", found_in_contact_id=None, rules_version=0, **registered),
        request_event(2, "RequestEscalated", "registered", **escalated),
        request_event(3, "RequestAccepted", "accepted", accepted_on="2026-07-21", assignee=None),
    ]
    assert tally(*events)[("requests", "all", "350102")]["overdue"] == 1  # accepted late: still overdue
    totals = tally(
        *events,
        request_event(4, "RequestResolved", "resolved", resolved_on="2026-07-25"),
        request_event(5, "RequestReopened", "in_progress", reopened_on="2026-08-01", deadline="2026-08-16"),
        request_event(6, "RequestResolved", "resolved", resolved_on="2026-08-05"),
    )
    july, august = totals[("requests", "2026-07", "350102")], totals[("requests", "2026-08", "350102")]
    assert (july["days_to_resolve"], july["resolved_late"], july["overdue"]) == (22, 1, 0)
    assert (august["days_to_resolve"], august.get("resolved_late", 0), august["reopened"]) == (4, 0, 1)


def assistance_event(position: int, type_: str, region: str = "350102001001", **data: object) -> IntegrationEvent:
    return envelope(type_, position, data, region, "assistance", datetime(2026, 8, 3, tzinfo=UTC))


def application(position: int, type_: str, fund: str = "f-1", kind: str = "hardship_aid", **data: object) -> object:
    facts = {"application_id": f"app-{position}", "fund_id": fund, "fund_kind": kind, "person_id": "p-1", **data}
    return envelope(type_, position, facts, source="assistance", at=datetime(2026, 8, 3, tzinfo=UTC))


def test_applications_and_amounts_count_per_fund_kind_and_in_their_funds_part() -> None:
    fund = {"fund_id": "f-1", "kind": "hardship_aid", "year": 2026, "name": "2026年解三难资金"}
    payroll = {"payroll_id": "pr-1", "fund_id": "f-2", "month": "2026-08", "lines": 120, "total_fen": 6_000_000}
    totals = tally(
        assistance_event(1, "FundCreated", "350102", **fund, budget_fen=10_000_000, rules_version=1),
        assistance_event(2, "FundBudgetChanged", "350102", **fund, budget_fen=12_000_000, change_fen=2_000_000),
        application(3, "ApplicationApproved", level="township", final=False, amount_fen=160_000, rules_version=1),
        application(4, "ApplicationApproved", level="county", final=True, amount_fen=160_000, rules_version=1),
        application(5, "ApplicationDisbursed", amount_fen=160_000, paid_on="2026-08-03"),
        application(6, "ApplicationDisbursed", fund="f-3", kind="care_fund", amount_fen=50_000, paid_on="2026-08-03"),
        assistance_event(7, "PayrollReleased", "350102", **payroll),
    )
    county = totals[("funds", "2026-08", "350102")]
    assert (county["budget_fen"], county["approved"], county["approved_fen"]) == (12_000_000, 1, 160_000)
    assert (county["disbursed"], county["disbursed_fen"]) == (2, 210_000)
    assert (county["kind.hardship_aid.disbursed_fen"], county["kind.care_fund.disbursed"]) == (160_000, 1)
    assert (county["payroll_lines"], county["payroll_fen"]) == (120, 6_000_000)
    one_fund = totals[("funds/f-1", "2026-08", "350102001")]
    assert (one_fund["approved"], one_fund["disbursed"], one_fund["disbursed_fen"]) == (1, 1, 160_000)
    assert not any(key.startswith("kind.") for key in one_fund)
    assert ("funds/f-1", "all", "350103") not in totals
    derived = BY_TOPIC["funds"].derive(county)
    assert (derived["person_times"], derived["paid_fen"]) == (122, 6_210_000)


def test_a_city_funds_payroll_counts_in_the_counties_of_the_people_paid() -> None:
    shares = {"350102": {"lines": 70, "total_fen": 3_500_000}, "350103": {"lines": 50, "total_fen": 2_500_000}}
    payroll = {"payroll_id": "pr-2", "fund_id": "f-2", "month": "2026-08", "lines": 120, "total_fen": 6_000_000}
    totals = tally(assistance_event(1, "PayrollReleased", "3501", **payroll, by_county=shares))
    gulou, taijiang, city = (totals[("funds", "2026-08", region)] for region in ("350102", "350103", "3501"))
    assert (gulou["payroll_lines"], gulou["payroll_fen"], gulou.get("payrolls", 0)) == (70, 3_500_000, 0)
    assert (taijiang["payroll_lines"], taijiang["payroll_fen"]) == (50, 2_500_000)
    assert (city["payrolls"], city["payroll_lines"], city["payroll_fen"]) == (1, 120, 6_000_000)  # not twice
    assert totals[("funds/f-2", "2026-08", "350103")]["payroll_fen"] == 2_500_000


def test_an_enrolment_paid_yearly_counts_its_yearly_amount() -> None:
    enrolment = {"enrolment_id": "e-1", "fund_id": "f-4", "person_id": "p-1", "start_month": "2026-01"}
    totals = tally(
        assistance_event(1, "EnrolmentStarted", **enrolment, monthly_fen=0, yearly_fen=240_000, status="active")
    )
    county = totals[("funds", "all", "350102")]
    assert (county["enrolled"], county["monthly_fen"], county["yearly_fen"]) == (1, 0, 240_000)


def campaign_event(position: int, type_: str, region: str = "3501", **data: object) -> IntegrationEvent:
    return envelope(type_, position, {"campaign_id": "k-1", **data}, region, at=datetime(2022, 7, 20, tzinfo=UTC))


def campaign_contact(contact_id: str, person_id: str, method: str, region: str = "350102001001") -> object:
    body: dict[str, object] = {"contact_id": contact_id, "person_id": person_id, "method": method}
    body["contacted_on"] = "2022-07-25"
    body |= {"staff": "staff-1", "needs_follow_up": False, "occasion": "八一", "group_id": None}
    return campaign_event(10, "ContactRecorded", region, **body)


def test_a_campaigns_progress_and_summary_tables_count_per_county_and_roll_up_to_the_city() -> None:
    reported = {"money_fen": 1_000_000, "goods_fen": 500_000, "problems_found": 4, "problems_solved": 3}
    submitted = {"county": "350102", "submitted_on": "2022-08-02", "late": False, "resubmission": False}
    totals = tally(
        campaign_event(
            1, "TargetListFrozen", targets=5, by_group={"unemployed": 5}, by_county={"350102": 3, "350103": 2}
        ),
        campaign_contact("c-1", "p-1", "phone"),
        campaign_contact("c-2", "p-1", "home_visit"),  # the same person again, now in person
        campaign_contact("c-3", "p-2", "video", "350103001001"),
        campaign_event(11, "ContactWithdrawn", "350102001001", contact_id="c-2", person_id="p-1"),
        campaign_event(
            12, "CampaignSummarySubmitted", "350102", visited_by_group={"unemployed": 3}, **submitted, **reported
        ),
        campaign_event(13, "CampaignSummaryApproved", "350102", county="350102", reviewed_on="2022-08-03"),
    )
    county = totals[("campaigns/k-1", "all", "350102")]
    assert (county["targets"], county["reached"], county["remote"], county.get("in_person", 0)) == (3, 1, 1, 0)
    assert county["visits"] == 1  # c-1; c-2 was withdrawn
    assert (county["group.unemployed"], county["money_fen"], county["status.approved"]) == (3, 1_000_000, 1)
    assert county.get("status.submitted", 0) == 0
    city = totals[("campaigns/k-1", "all", "3501")]
    assert (city["targets"], city["reached"], city["reported"], city["problems_solved"]) == (5, 2, 1, 3)
    derived = BY_TOPIC["campaigns"].derive(city)
    assert (derived["coverage"], derived["unreached"]) == (0.4, 3)
    assert [m.key for m in BY_TOPIC["campaigns"].open_measures(city)] == ["group.unemployed"]
