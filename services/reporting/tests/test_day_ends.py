"""Figures as of an ended day read from the counters' day starts equal the archive's replay, day by day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from reporting import queries
from reporting.day_ends import days_between, figures_at_end_of, months_between
from reporting.projections import day_starts
from reporting.queries import Figures, figures_as_of
from reporting.statistics import BY_TOPIC
from reporting.statistics.periods import parse_period
from vet_contracts import IntegrationEvent
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration

ReportingApi = Any  # conftest.ReportingApi
COUNTY, TOWNSHIP_A, VILLAGE_A, VILLAGE_B = "350102", "350102001", "350102001001", "350102002001"
NEW_TOWNSHIP_VILLAGE, OTHER_COUNTY_VILLAGE = "350102003001", "350103001001"


def noon(day: str) -> datetime:
    """Midday in China on `day`, as the archive's clock stamps it."""
    return datetime.fromisoformat(day).replace(hour=4, tzinfo=UTC)


def history(api: ReportingApi) -> dict[str, list[IntegrationEvent]]:
    """Ten weeks of events by the day they arrive: registrations, moves, a death, contacts (one arriving days late
    for July, one withdrawn in another month), a fund; a township quiet from August to October, one new in it."""
    feed = RegistryFeed()

    def on(day: str) -> RegistryFeed:
        feed.occurred_at = noon(day)
        return feed

    withdrawn = {"contact_id": "c-2", "person_id": "p-2"}
    fund = {"fund_id": "f-1", "name": "2026年解三难资金", "year": 2026, "budget_fen": 9_000_000}
    return {
        "2026-07-30": [
            on("2026-07-30").registered("p-1", VILLAGE_A),
            feed.registered("p-2", VILLAGE_B, key_contact_reasons=["unemployed"]),
            api.contact(1, "p-1", VILLAGE_A, contacted_on="2026-07-30"),
        ],
        "2026-07-31": [
            on("2026-07-31").registered("p-3", OTHER_COUNTY_VILLAGE),
            feed.event("KeyContactDesignated", "p-1", key_contact_reasons=["aged_80_or_over"]),
            api.contact(2, "p-2", VILLAGE_B, contacted_on="2026-07-31"),
        ],
        "2026-08-01": [
            on("2026-08-01").transferred("p-2", VILLAGE_A),
            api.upstream("FundCreated", "assistance", 3, COUNTY, fund),
        ],
        "2026-08-03": [
            api.contact(4, "p-3", OTHER_COUNTY_VILLAGE, contacted_on="2026-07-29"),  # late: counts in July
            api.upstream("ContactWithdrawn", "outreach", 5, VILLAGE_A, withdrawn),  # a July contact leaves July
        ],
        "2026-08-20": [on("2026-08-20").died("p-1", died_on="2026-08-19")],
        "2026-10-02": [
            on("2026-10-02").registered("p-4", VILLAGE_B),
            feed.registered("p-5", NEW_TOWNSHIP_VILLAGE),
            api.contact(6, "p-4", VILLAGE_B, contacted_on="2026-10-02"),
        ],
    }


def deliver_by_day(api: ReportingApi, project: Callable[[], Any] | None = None) -> None:
    for day, events in history(api).items():
        api.freeze(noon(day))
        api.deliver(*events)
        if project:
            project()
    api.freeze(date(2026, 10, 3))


DAYS = [
    "2026-07-29", "2026-07-30", "2026-07-31", "2026-08-01", "2026-08-02", "2026-08-03", "2026-08-19",
    "2026-08-20", "2026-09-30", "2026-10-01", "2026-10-02", "2026-10-03",
]  # fmt: skip
REGIONS = ["35", COUNTY, "350102002"]  # each with its children beside it
PERIODS = ["all", "2026-Q3", "2026-07", "2026-08"]


Case = tuple[str, str, str, str]  # topic, region, period, day


def read_and_replayed(api: ReportingApi, cases: list[Case]) -> list[tuple[Figures | None, Figures]]:
    """Each case's figures read from the day starts (None: they could not tell) beside the archive's replay."""

    async def entry_after(position: int) -> Any:
        return api.app.entry_at(position + 1)

    async def read(db: Any) -> list[Figures | None]:
        return [
            await figures_at_end_of(
                db, BY_TOPIC[topic], region, parse_period(period), date.fromisoformat(day), entry_after
            )
            for topic, region, period, day in cases
        ]

    replayed = [
        figures_as_of(api.app, BY_TOPIC[topic], region, parse_period(period), date.fromisoformat(day))
        for topic, region, period, day in cases
    ]
    return list(zip(api.with_db(read), replayed, strict=True))


def read_one(api: ReportingApi, topic: str, region: str, period: str, day: str) -> dict[str, int]:
    [(read, replayed)] = read_and_replayed(api, [(topic, region, period, day)])
    assert read is not None
    assert (read.total, read.children) == (replayed.total, replayed.children)
    return {"people": 0, "contacts": 0, **read.total}


def assert_day_ends_equal_the_replay(api: ReportingApi) -> None:
    cases = [
        (topic, region, period, day)
        for topic in ("people", "contacts", "funds")
        for region in REGIONS
        for period in PERIODS
        for day in DAYS
    ]
    for case, (read, replayed) in zip(cases, read_and_replayed(api, cases), strict=True):
        assert read is not None, case  # a read, not a replay
        assert (read.total, read.children) == (replayed.total, replayed.children), case


def test_every_ended_day_reads_what_the_archive_replays(api: ReportingApi) -> None:
    deliver_by_day(api, project=lambda: api.project(batch_size=2))
    assert_day_ends_equal_the_replay(api)

    def people(region: str, day: str) -> dict[str, int]:
        return read_one(api, "people", region, "all", day)

    assert [people("3501", day)["people"] for day in ("2026-07-29", "2026-07-30", "2026-07-31")] == [0, 2, 3]
    assert people("350102002", "2026-07-31")["people"] == 1
    assert people("350102002", "2026-08-01")["people"] == 0  # moved to township A
    assert people("350102002", "2026-09-30")["people"] == 0  # quiet since, until October
    assert people("350102002", "2026-10-02")["people"] == 1
    assert people(COUNTY, "2026-08-19").get("status.deceased", 0) == 0
    assert people(COUNTY, "2026-08-20")["status.deceased"] == 1

    def july_contacts(region: str, day: str) -> int:
        return read_one(api, "contacts", region, "2026-07", day)["contacts"]

    # Arrived on 3 August for 29 July: not there at the end of 2 August, counted in July from the 3rd on.
    assert [july_contacts("350103", day) for day in ("2026-08-02", "2026-08-03")] == [0, 1]
    assert [july_contacts(COUNTY, day) for day in ("2026-08-02", "2026-08-03")] == [2, 1]  # the withdrawal


def test_day_starts_are_the_same_however_the_batches_fell_and_after_a_rebuild(api: ReportingApi) -> None:
    deliver_by_day(api, project=lambda: api.project(batch_size=1))
    one_by_one = api.read_models()
    assert {image["day"] for image in one_by_one["day_starts"]} >= {"2026-07-31", "2026-08-01", "2026-10-02"}
    assert any(image["_id"].endswith("@2026-10") for image in one_by_one["day_starts"])
    api.rebuild()  # every day in one batch
    assert api.read_models() == one_by_one


def test_a_day_the_counters_have_not_finished_is_replayed(api: ReportingApi, monkeypatch: Any) -> None:
    feed = RegistryFeed()
    api.freeze(noon("2026-08-03"))
    api.deliver(feed.registered("p-1"))
    api.project()
    api.deliver(feed.registered("p-2"))  # archived, not counted yet
    [(read, replayed)] = read_and_replayed(api, [("people", COUNTY, "all", "2026-08-03")])
    assert read is None
    assert replayed.total["people"] == 2
    api.freeze(date(2026, 8, 4))
    assert api.stats(as_of="2026-08-03")["total"]["figures"]["people"] == 2

    api.project()
    api.freeze(noon("2026-08-04"))
    api.deliver(feed.registered("p-3"))  # not counted yet, but after the 3rd: that day is finished
    [(read, _)] = read_and_replayed(api, [("people", COUNTY, "all", "2026-08-04")])
    assert read is None
    with monkeypatch.context() as patched:
        patched.setattr(queries, "figures_as_of", refuse_replay)
        assert api.stats(as_of="2026-08-03")["total"]["figures"]["people"] == 2  # read, never replayed
        api.project()
        api.freeze(date(2026, 8, 5))
        assert api.stats(as_of="2026-08-04")["total"]["figures"]["people"] == 3


def refuse_replay(*_: Any) -> None:
    raise AssertionError("replayed the archive")


def test_counters_kept_before_day_starts_are_replayed_until_a_rebuild(api: ReportingApi) -> None:
    deliver_by_day(api, project=api.project)

    async def forget_since(db: Any) -> None:
        await db.counters.update_many({}, {"$unset": {"since": ""}})

    api.with_db(forget_since)
    [(read, replayed)] = read_and_replayed(api, [("people", COUNTY, "all", "2026-08-01")])
    assert read is None
    assert api.stats(as_of="2026-08-01")["total"]["figures"]["people"] == replayed.total["people"] == 2
    api.rebuild()
    assert read_one(api, "people", COUNTY, "all", "2026-08-01")["people"] == 2


def test_an_entry_stamped_before_the_one_ahead_of_it_counts_with_it(api: ReportingApi) -> None:
    feed = RegistryFeed()
    api.freeze(noon("2026-08-05"))
    api.deliver(feed.registered("p-1"))
    api.freeze(noon("2026-08-04"))  # another worker's clock, behind
    api.deliver(feed.registered("p-2", OTHER_COUNTY_VILLAGE))
    api.freeze(noon("2026-08-06"))
    api.deliver(feed.registered("p-3"))
    api.project(batch_size=1)
    for day, people in (("2026-08-04", 0), ("2026-08-05", 2), ("2026-08-06", 3)):
        assert read_one(api, "people", "3501", "all", day)["people"] == people, day


def test_a_documents_images_are_its_counts_at_the_start_of_each_later_day() -> None:
    changes = [
        (5, "2026-07-31", {"all.people": 1}),
        (6, "2026-08-01", {"all.people": 2}),
        (7, "2026-08-01", {"all.people": -1}),
        (9, "2026-08-04", {"all.people": 1, "all.status.active": 1}),
    ]
    images = day_starts("people|all|35", {"all.people": 3}, 4, "2026-07-31", changes)
    assert [(image["_id"], image["position"], image["counts"]) for image in images] == [
        ("people|all|35@2026-08-01", 5, {"all": {"people": 4}}),
        ("people|all|35@2026-08", 5, {"all": {"people": 4}}),
        ("people|all|35@2026-08-04", 7, {"all": {"people": 5}}),
    ]
    assert day_starts("people|all|35", {}, 0, "2026-08-01", changes[1:3]) == []


def test_the_days_and_months_an_image_is_looked_up_in() -> None:
    assert days_between(date(2026, 8, 30), date(2026, 8, 31)) == ["2026-08-31"]
    assert days_between(date(2026, 8, 31), date(2026, 8, 31)) == []
    assert months_between(date(2026, 11, 30), "2027-02-01") == ["2026-12", "2027-01", "2027-02"]
    assert months_between(date(2026, 11, 30), "2026-11-30") == []
