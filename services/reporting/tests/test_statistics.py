"""Statistics from the projector's counters: by region level and period, never counted twice, equal to a rebuild."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from reporting.queries import live_figures
from reporting.statistics import BY_TOPIC
from reporting.statistics.periods import parse_period
from vet_contracts import IntegrationEvent
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration

ReportingApi = Any  # conftest.ReportingApi
COUNTY = "350102"  # 鼓楼区
TOWNSHIP_A, VILLAGE_A = "350102001", "350102001001"
TOWNSHIP_B, VILLAGE_B = "350102002", "350102002001"
OTHER_COUNTY_VILLAGE = "350103001001"  # 台江区


def on(event: IntegrationEvent, day: date) -> IntegrationEvent:
    return event.model_copy(update={"occurred_at": datetime(day.year, day.month, day.day, 4, tzinfo=UTC)})


def some_people(feed: RegistryFeed) -> list[IntegrationEvent]:
    return [
        feed.registered("p-1", VILLAGE_A, categories=["disabled_soldier"], disability_level=2),
        feed.registered("p-2", VILLAGE_A, household="urban"),
        feed.registered("p-3", VILLAGE_B, categories=["martyr_survivor"], key_contact_reasons=["martyr_survivor"]),
        feed.registered("p-4", OTHER_COUNTY_VILLAGE),
        feed.registered("p-5", "350527000003"),  # a township coded 000: no such code in the division table
        feed.event("KeyContactDesignated", "p-2", key_contact_reasons=["unemployed"], reason="unemployed"),
        feed.died("p-1"),
    ]


def figures(row: dict[str, Any]) -> dict[str, Any]:
    return row["figures"]  # type: ignore[no-any-return]


def test_a_county_sees_its_townships_side_by_side_with_their_names(api: ReportingApi) -> None:
    api.deliver(*some_people(RegistryFeed()))
    api.project()
    body = api.stats("people", region=COUNTY)
    assert body["region_name"] == "鼓楼区"
    assert figures(body["total"])["people"] == 2  # p-1 died, p-4 is in another county
    assert figures(body["total"])["status.deceased"] == 1
    assert figures(body["total"])["key_contact.unemployed"] == 1
    assert figures(body["total"])["household.urban"] == 1
    rows = {row["region"]: row for row in body["rows"]}
    assert rows[TOWNSHIP_A]["name"] == "鼓东街道"
    assert figures(rows[TOWNSHIP_A])["people"] == 1
    assert figures(rows[TOWNSHIP_B])["category.martyr_survivor"] == 1
    assert all(len(code) == 9 for code in rows)  # the next level down only
    assert {"label": "类别：残疾军人", "key": "category.disabled_soldier", "unit": "count"} in body["columns"]

    city = api.stats("people", region="3501", role="officer")
    assert figures(city["total"])["people"] == 3
    counties = {row["region"]: figures(row)["people"] for row in city["rows"]}
    assert counties["350102"] == 2
    assert counties["350103"] == 1
    assert counties["350104"] == 0  # a county without anyone still has its row


def test_a_region_outside_the_callers_jurisdiction_is_refused(api: ReportingApi) -> None:
    response = api.client.get("/stats/people", params={"region": "3502"}, headers=api.headers(region=COUNTY))
    assert response.status_code == 403
    assert "outside your jurisdiction" in response.text
    response = api.client.get("/stats/people", params={"period": "2026-13"}, headers=api.headers())
    assert response.status_code == 422
    assert "period" in response.text
    response = api.client.get("/stats/nothing", headers=api.headers())
    assert response.status_code == 404
    assert "people" in response.text


def a_year_of_people(api: ReportingApi) -> None:
    """Three registered in May, August and October, the first dies in October; today is 15 November."""
    feed = RegistryFeed()
    api.freeze(date(2026, 11, 15))
    api.deliver(
        on(feed.registered("p-1"), date(2026, 5, 3)),
        on(feed.registered("p-2"), date(2026, 8, 3)),
        on(feed.registered("p-3"), date(2026, 10, 3)),
        on(feed.died("p-1"), date(2026, 10, 9)),
    )
    api.project()


def test_periods_count_what_happened_in_them_and_stocks_at_their_end(api: ReportingApi) -> None:
    a_year_of_people(api)
    q3 = figures(api.stats(period="2026-Q3")["total"])
    assert q3["registered"] == 1
    assert q3["people"] == 2  # at the end of September: p-1 and p-2
    assert q3["died"] == 0
    q4 = figures(api.stats(period="2026-Q4")["total"])
    assert (q4["registered"], q4["died"], q4["people"]) == (1, 1, 2)
    assert figures(api.stats(period="2026-05")["total"])["people"] == 1
    assert figures(api.stats(period="2026")["total"])["registered"] == 3
    assert figures(api.stats()["total"])["people"] == 2


def test_a_chart_by_quarter_is_one_answer_equal_to_each_quarters_table(api: ReportingApi) -> None:
    a_year_of_people(api)
    quarters = [f"2026-Q{q}" for q in range(1, 5)]
    chart = api.get("/stats/people/by-period", region=COUNTY, period=quarters)
    assert [row["period"] for row in chart["periods"]] == quarters
    for row in chart["periods"]:
        table = api.stats(period=row["period"])
        assert row["figures"] == figures(table["total"])
    assert [row["figures"]["people"] for row in chart["periods"]] == [0, 1, 2, 2]
    assert {"key": "people", "label": "在册人数", "unit": "count"} in chart["columns"]

    refused = api.client.get(
        "/stats/people/by-period", params={"period": ["2026-Q5"]}, headers=api.headers("officer", COUNTY)
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "period"
    outside = api.client.get(
        "/stats/people/by-period",
        params={"period": quarters, "region": "350103"},
        headers=api.headers("officer", COUNTY),
    )
    assert outside.status_code == 403


def test_replays_never_count_twice_and_a_rebuild_equals_the_live_counters(api: ReportingApi) -> None:
    feed = RegistryFeed()
    events = some_people(feed)
    api.deliver(*events[:3])
    api.project(batch_size=2)
    api.deliver(*events[3:], api.contact(1, "p-2"), api.contact(2, "p-3", VILLAGE_B, method="phone"))
    api.deliver(events[0])  # redelivered by Kafka: archived once
    api.project(batch_size=3)
    live = api.read_models()

    api.forget_checkpoint()  # the projector starts over, with batches cut differently
    api.project(batch_size=4)
    assert api.read_models() == live

    assert api.rebuild() == api.app.process_recorder.max_notification_id()
    assert api.read_models() == live
    # The audit search's indexes are built after the replay, not left out.
    assert audit_index_keys(api) == {
        ("jurisdictions", "position"),
        ("aggregate_id", "position"),
        ("actor", "position"),
        ("type", "jurisdictions", "position"),
    }
    assert figures(api.stats("contacts")["total"]) == {
        **figures(api.stats("contacts")["total"]),
        "contacts": 2,
        "home_visits": 1,
        "method.phone": 1,
    }
    assert api.get("/stats/summary", region=COUNTY) == {"region": COUNTY, "persons": 2, "visits": 2, "funds": 0}


def audit_index_keys(api: ReportingApi) -> set[tuple[str, ...]]:
    async def keys(db: Any) -> set[tuple[str, ...]]:
        indexes = await db.audit.index_information()
        return {tuple(field for field, _ in spec["key"]) for name, spec in indexes.items() if name != "_id_"}

    return set(api.with_db(keys))


def test_a_province_figure_reads_a_handful_of_documents(api: ReportingApi) -> None:
    feed = RegistryFeed()
    api.deliver(*(feed.registered(f"p-{n}", f"3501020{n % 3 + 1:02d}001") for n in range(30)))
    api.project()

    async def province(db: Any) -> Any:
        return await live_figures(db, BY_TOPIC["people"], "35", parse_period("2026-Q3"), date(2026, 8, 10))

    figures = api.with_db(province)
    assert figures.total["people"] == 30
    assert figures.children["3501"]["registered"] == 30
    # The province's and its one city's documents of the quarter and of the whole history, nothing below.
    assert figures.documents_read == 4


def test_a_quarters_key_contact_coverage(api: ReportingApi) -> None:
    feed = RegistryFeed()
    api.deliver(
        feed.registered("p-1", VILLAGE_A, key_contact_reasons=["unemployed"]),
        feed.registered("p-2", VILLAGE_B, key_contact_reasons=["martyr_survivor"]),
        api.contact(1, "p-1", contacted_on="2026-08-02"),
        api.contact(2, "p-1", contacted_on="2026-08-05"),
    )
    api.project()
    body = api.stats("contacts", period="2026-Q3")
    assert figures(body["total"])["key_contacts"] == 2
    assert figures(body["total"])["key_contacts_reached"] == 1
    assert figures(body["total"])["key_contact_coverage"] == 0.5
    rows = {row["region"]: figures(row) for row in body["rows"]}
    assert rows[TOWNSHIP_A]["key_contact_coverage"] == 1.0
    assert rows[TOWNSHIP_B]["key_contact_coverage"] == 0.0
    assert {"key": "key_contact_coverage", "label": "重点对象联系覆盖率", "unit": "ratio"} in body["columns"]


def coverage_feed(api: ReportingApi) -> tuple[list[IntegrationEvent], list[IntegrationEvent]]:
    """The registry's events and outreach's about three people, each topic in its own order."""
    feed = RegistryFeed()
    registry = [
        on(feed.registered("p-1", VILLAGE_A, key_contact_reasons=["unemployed"]), date(2026, 8, 10)),
        on(feed.registered("p-2", VILLAGE_A, key_contact_reasons=["martyr_survivor"]), date(2026, 4, 1)),
        on(feed.died("p-2", died_on="2026-08-20"), date(2026, 8, 20)),
        on(feed.registered("p-3", VILLAGE_B), date(2026, 1, 5)),
        on(feed.event("KeyContactDesignated", "p-3", key_contact_reasons=["unemployed"]), date(2026, 9, 1)),
    ]
    outreach = [
        api.contact(1, "p-1", contacted_on="2026-08-02"),  # before the registration reached reporting
        api.contact(2, "p-2", contacted_on="2026-05-10"),
        api.contact(3, "p-2", contacted_on="2026-08-03"),  # a key contact no more at the quarter's end
        api.contact(4, "p-3", VILLAGE_B, contacted_on="2026-08-04"),  # one at the quarter's end
    ]
    return registry, outreach


@pytest.mark.parametrize("contacts_first", [False, True], ids=["registry first", "contacts first"])
def test_key_contact_coverage_does_not_depend_on_which_topic_arrives_first(
    api: ReportingApi, contacts_first: bool
) -> None:
    api.freeze(datetime(2026, 11, 30, 2, tzinfo=UTC))  # after everything below happened
    registry, outreach = coverage_feed(api)
    first, then = (outreach, registry) if contacts_first else (registry, outreach)
    api.deliver(*first)
    api.project(batch_size=3)
    api.deliver(*then)
    api.project(batch_size=1 if contacts_first else 500)  # the person's notes read back from the store, or not

    def quarter(period: str) -> tuple[int, int, int, float | None]:
        total = figures(api.stats("contacts", period=period)["total"])
        keys = ("key_contacts", "key_contacts_reached", "people_reached", "key_contact_coverage")
        return tuple(total[key] for key in keys)  # type: ignore[return-value]

    # A key contact counts as reached when they are one at the quarter's end, as the denominator counts them.
    assert quarter("2026-Q3") == (2, 2, 3, 1.0)  # p-1 and p-3; p-2 died in August
    assert quarter("2026-Q2") == (1, 1, 1, 1.0)  # p-2 only: p-1 came in August, p-3 became one in September
    assert figures(api.stats("contacts", period="2026-Q3", as_of="2026-11-30")["total"])["key_contacts_reached"] == 2
    live = api.read_models()
    api.rebuild()
    assert api.read_models() == live
