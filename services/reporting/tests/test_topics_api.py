"""Over HTTP: one fund's figures, a quarter's key-contact coverage and overdue contacts, request handling, and a
campaign's summary table (情况汇总表) for a county's city and the province, as JSON and as the form's workbook;
every new counter equal after a replay, a rebuild and `vet verify reporting`."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from reporting.service import definition
from vet_common.entrypoint import verify
from vet_contracts import IntegrationEvent
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration

ReportingApi = Any  # conftest.ReportingApi
COUNTY, OTHER_COUNTY = "350102", "350103"  # 鼓楼区, 台江区
VILLAGE_A, VILLAGE_B, OTHER_VILLAGE = "350102001001", "350102002001", "350103001001"
CAMPAIGN = "k-2026-81"


def figures(row: dict[str, Any]) -> dict[str, Any]:
    return row["figures"]  # type: ignore[no-any-return]


def by_region(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["region"]: figures(row) for row in body["rows"]}


def application(api: ReportingApi, position: int, type_: str, region: str, **data: Any) -> IntegrationEvent:
    facts = {"application_id": f"app-{region}", "fund_id": "f-1", "fund_kind": "hardship_aid", "person_id": "p-1"}
    return api.upstream(type_, "assistance", position, region, {**facts, **data})  # type: ignore[no-any-return]


def fund_events(api: ReportingApi) -> list[IntegrationEvent]:
    fund = {"fund_id": "f-1", "kind": "hardship_aid", "year": 2026, "name": "2026年解三难资金"}
    approved = {"level": "county", "final": True, "amount_fen": 160_000, "rules_version": 1}
    return [
        api.upstream("FundCreated", "assistance", 1, "3501", {**fund, "budget_fen": 50_000_000, "rules_version": 1}),
        application(api, 2, "ApplicationApproved", VILLAGE_A, **approved),
        application(api, 3, "ApplicationDisbursed", VILLAGE_A, amount_fen=160_000, paid_on="2026-08-02"),
        application(api, 4, "ApplicationApproved", OTHER_VILLAGE, **approved),
        application(api, 5, "ApplicationDisbursed", OTHER_VILLAGE, amount_fen=150_000, paid_on="2026-08-02"),
    ]


def test_a_funds_disbursements_by_county_and_in_the_whole_by_kind(api: ReportingApi) -> None:
    api.deliver(*fund_events(api))
    api.project()
    one = api.stats("funds", region="3501", fund="f-1", period="2026-08")
    assert one["part"] == "f-1"
    assert (figures(one["total"])["disbursed"], figures(one["total"])["disbursed_fen"]) == (2, 310_000)
    assert figures(one["total"])["budget_execution"] == 0.0062
    assert by_region(one)[COUNTY]["disbursed_fen"] == 160_000
    assert by_region(one)[OTHER_COUNTY]["approved_fen"] == 160_000
    assert not any(column["key"].startswith("kind.") for column in one["columns"])
    whole = api.stats("funds", region="3501")
    assert figures(whole["total"])["kind.hardship_aid.disbursed_fen"] == 310_000
    assert figures(whole["total"])["person_times"] == 2

    response = api.client.get(
        "/stats/funds/export", params={"region": "3501", "fund": "f-1"}, headers=api.headers(region="3501")
    )
    rows = [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    disbursed = rows[0].index("拨付金额（元）")
    assert (rows[1][1], float(rows[1][disbursed])) == ("福州市（合计）", 3100.0)
    assert 'filename="funds-f-1-3501-all.xlsx"' in response.headers["content-disposition"]


def test_a_part_the_region_never_counted_is_not_found_and_a_part_of_another_topic_is_refused(api: ReportingApi) -> None:
    api.deliver(*fund_events(api))
    api.project()
    unknown = api.client.get("/stats/funds", params={"fund": "f-404"}, headers=api.headers())
    assert unknown.status_code == 404
    assert "f-404" in unknown.text
    elsewhere = api.client.get(
        "/stats/funds", params={"fund": "f-1", "region": "350104"}, headers=api.headers("officer", "3501")
    )
    assert elsewhere.status_code == 404
    wrong = api.client.get("/stats/people", params={"campaign": CAMPAIGN}, headers=api.headers())
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["field"] == "campaign"
    assert "campaigns statistic only" in wrong.text


def test_a_quarters_coverage_and_overdue_key_contacts_survive_a_withdrawal_in_a_later_batch(api: ReportingApi) -> None:
    feed = RegistryFeed()
    api.deliver(
        feed.registered("p-1", VILLAGE_A, key_contact_reasons=["unemployed"]),
        feed.registered("p-2", VILLAGE_B, key_contact_reasons=["martyr_survivor"]),
        feed.registered("p-3", VILLAGE_B, key_contact_reasons=["aged_80_or_over"]),
        api.contact(1, "p-1", contacted_on="2026-07-10"),
        api.contact(2, "p-1", contacted_on="2026-08-01"),
        api.contact(3, "p-2", VILLAGE_B, contacted_on="2026-08-01"),
    )
    api.project()
    withdrawn = {"contact_id": "c-3", "person_id": "p-2"}
    api.deliver(api.upstream("ContactWithdrawn", "outreach", 4, VILLAGE_B, withdrawn))
    api.project(batch_size=1)  # the withdrawal alone: its contact's quarter is read from the stored note
    quarter = figures(api.stats("contacts", period="2026-Q3")["total"])
    assert (quarter["key_contacts"], quarter["key_contacts_reached"], quarter["key_contacts_unreached"]) == (3, 1, 2)
    assert quarter["key_contact_coverage"] == 0.3333
    assert (quarter["contacts"], quarter["home_visits"]) == (2, 2)
    assert figures(api.stats("contacts", period="2026")["total"])["key_contacts_unvisited"] == 2
    published = api.stats("contacts", period="2026-Q3", publish="true")
    assert figures(published["total"])["key_contacts_unreached"] is None  # 2 < 5: could point at someone
    assert figures(published["total"])["key_contact_coverage"] == 0.3333


def test_requests_overdue_and_average_days_to_resolve(api: ReportingApi) -> None:
    facts = {"person_id": "p-1", "category": "housing", "grade": "ordinary"}

    def request(position: int, type_: str, request_id: str, status: str, **data: Any) -> IntegrationEvent:
        body = {"request_id": request_id, **facts, "status": status, **data}
        return api.upstream(type_, "outreach", position, VILLAGE_A, body)  # type: ignore[no-any-return]

    registered = {"deadline": "2026-07-16", "responsible_region": "350102001", "found_in_contact_id": None}
    escalated = {"escalated_on": "2026-07-17", "supervised_by": COUNTY, "level": 1, "automatic": True}
    api.deliver(
        request(1, "RequestRegistered", "r-1", "registered", registered_on="2026-07-01", rules_version=0, **registered),
        request(2, "RequestRegistered", "r-2", "registered", registered_on="2026-07-01", rules_version=0, **registered),
        request(3, "RequestResolved", "r-1", "resolved", resolved_on="2026-07-11"),
        request(4, "RequestEscalated", "r-2", "registered", **escalated),
    )
    api.project()
    july = figures(api.stats("requests", period="2026-07")["total"])
    assert (july["registered"], july["resolved"], july["overdue"], july["escalated_overdue"]) == (2, 1, 1, 1)
    assert (july["average_days_to_resolve"], july["on_time_rate"]) == (10.0, 1.0)
    assert {"key": "average_days_to_resolve", "label": "平均办理天数", "unit": "days"} in api.stats("requests")[
        "columns"
    ]


def campaign_events(api: ReportingApi, feed: RegistryFeed | None = None) -> list[IntegrationEvent]:
    feed = feed or RegistryFeed()
    launched = {"occasion": "八一", "launched_on": "2026-07-15", "plan_due": "2026-07-23", "visits_due": "2026-08-01"}

    def outreach(position: int, type_: str, region: str, **data: Any) -> IntegrationEvent:
        return api.upstream(type_, "outreach", position, region, {"campaign_id": CAMPAIGN, **data})  # type: ignore[no-any-return]

    def visit(position: int, person: str, region: str, method: str) -> IntegrationEvent:
        return api.contact(position, person, region, method=method, campaign_id=CAMPAIGN, contacted_on="2026-07-28")  # type: ignore[no-any-return]

    def table(position: int, county: str, visited: int, late: bool = False) -> IntegrationEvent:
        reported = {"money_fen": 800_000 * visited, "goods_fen": 300_000, "problems_found": 2, "problems_solved": 1}
        return outreach(
            position,
            "CampaignSummarySubmitted",
            county,
            county=county,
            visited_by_group={"unemployed": visited, "aged_80_or_over": 1},
            submitted_on="2026-08-02",
            late=late,
            resubmission=False,
            **reported,
        )

    return [
        feed.registered("p-1", VILLAGE_A, key_contact_reasons=["unemployed"]),
        outreach(1, "CampaignLaunched", "3501", **launched, report_due="2026-08-02", target_groups=["unemployed"]),
        outreach(
            2, "TargetListFrozen", "3501", targets=9, by_group={"unemployed": 9}, by_county={COUNTY: 6, OTHER_COUNTY: 3}
        ),
        visit(3, "p-1", VILLAGE_A, "home_visit"),
        visit(4, "p-2", VILLAGE_B, "phone"),
        visit(5, "p-3", VILLAGE_B, "video"),
        visit(6, "p-4", OTHER_VILLAGE, "home_visit"),
        table(7, COUNTY, 3),
        outreach(8, "CampaignSummaryApproved", COUNTY, county=COUNTY, reviewed_on="2026-08-03"),
        table(9, OTHER_COUNTY, 1, late=True),
    ]


def test_a_campaigns_summary_table_for_the_city_and_its_roll_up_to_the_province(api: ReportingApi) -> None:
    api.deliver(*campaign_events(api))
    api.project()
    city = api.get(f"/summary-tables/{CAMPAIGN}", region="3501")
    assert city["title"] == "福州市“八一”走访慰问活动情况汇总表"
    rows = {row["region"]: row for row in city["rows"]}
    gulou, taijiang = rows[COUNTY], rows[OTHER_COUNTY]
    assert (gulou["number"], gulou["name"], gulou["status"]) == (1, "鼓楼区", "已审核")
    assert figures(gulou)["targets"] == 6
    assert (figures(gulou)["reached"], figures(gulou)["in_person"], figures(gulou)["remote"]) == (3, 1, 2)
    assert figures(gulou)["coverage"] == 0.5
    assert (figures(gulou)["group.unemployed"], figures(gulou)["money_fen"]) == (3, 2_400_000)
    assert (taijiang["status"], figures(taijiang)["late"], figures(taijiang)["coverage"]) == ("待审核", 1, 0.3333)
    assert rows["350104"]["status"] == "未报送"  # a county of the city without a table still has its row
    total = city["total"]
    assert (total["name"], total["status"]) == ("合计", "已报送2个县，已审核1个")
    assert (figures(total)["targets"], figures(total)["reached"], figures(total)["problems_found"]) == (9, 4, 4)
    assert [column["label"] for column in city["columns"]][:3] == ["走访对象数", "已走访人数", "其中：上门或当面走访"]
    assert {"key": "group.aged_80_or_over", "label": "上报走访：80岁以上高龄", "unit": "count"} in city["columns"]

    province = api.get(f"/summary-tables/{CAMPAIGN}", role="officer", region="35")
    assert province["title"] == "福建省“八一”走访慰问活动情况汇总表"
    cities = {row["region"]: row for row in province["rows"]}
    assert figures(cities["3501"]) == figures(total)
    assert cities["3501"]["status"] == "已报送2个县，已审核1个"

    county = api.get(f"/summary-tables/{CAMPAIGN}", region=COUNTY)  # a county sees its townships
    assert county["title"] == "鼓楼区走访慰问活动情况汇总表"  # launched above it: no occasion counted here
    assert {row["region"] for row in county["rows"]} >= {"350102001", "350102002"}
    assert (county["total"]["status"], county["rows"][0]["status"]) == ("已审核", "—")

    missing = api.client.get("/summary-tables/k-404", headers=api.headers(region="3501"))
    assert missing.status_code == 404


def test_the_summary_tables_meetings_count_each_meeting_once_in_its_county(api: ReportingApi) -> None:
    def attended(position: int, person: str, region: str, meeting: str) -> IntegrationEvent:
        return api.contact(  # type: ignore[no-any-return]
            position,
            person,
            region,
            method="meeting",
            group_id=meeting,
            campaign_id=CAMPAIGN,
            contacted_on="2026-07-28",
        )

    withdrawn = api.upstream(
        "ContactWithdrawn", "outreach", 16, OTHER_VILLAGE, {"contact_id": "c-15", "person_id": "p-9"}
    )
    meetings = [
        attended(10, "p-5", VILLAGE_A, "g-1"),  # one meeting of 鼓楼区, people of two townships
        attended(11, "p-6", VILLAGE_A, "g-1"),
        attended(12, "p-7", VILLAGE_B, "g-1"),
        attended(13, "p-8", VILLAGE_B, "g-2"),  # a second one there; withdrawn below, one attendee stays
        attended(14, "p-5", VILLAGE_A, "g-2"),
        attended(15, "p-9", OTHER_VILLAGE, "g-3"),  # 台江区's only meeting: its only attendance withdrawn
        api.upstream("ContactWithdrawn", "outreach", 17, VILLAGE_B, {"contact_id": "c-13", "person_id": "p-8"}),
        withdrawn,
    ]
    api.deliver(*campaign_events(api), *meetings[:5])
    api.project()
    api.deliver(*meetings[5:], withdrawn)  # the withdrawal redelivered: archived once
    api.project(batch_size=1)
    city = api.get(f"/summary-tables/{CAMPAIGN}", region="3501")
    rows = {row["region"]: figures(row) for row in city["rows"]}
    assert (rows[COUNTY]["meetings"], rows[COUNTY]["meeting_attendances"]) == (2, 4)
    assert (rows[OTHER_COUNTY]["meetings"], rows[OTHER_COUNTY]["meeting_attendances"]) == (0, 0)
    assert (figures(city["total"])["meetings"], figures(city["total"])["visits"]) == (2, 8)
    labels = [column["label"] for column in city["columns"]]
    assert labels.index("召开座谈会（场）") == labels.index("走访人次") + 1
    live = api.read_models()
    api.rebuild()
    assert api.read_models() == live


def test_the_summary_table_as_the_forms_workbook(api: ReportingApi) -> None:
    api.deliver(*campaign_events(api))
    api.project()
    response = api.client.get(
        f"/summary-tables/{CAMPAIGN}/export", params={"region": "3501"}, headers=api.headers(region="3501")
    )
    assert response.status_code == 200
    assert f'filename="summary-{CAMPAIGN}-3501.xlsx"' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "福州市“八一”走访慰问活动情况汇总表"
    assert rows[1][0] == "填报单位：福州市"
    assert rows[1][2:4] == ["制表日期：2026-08-10", "数据截至：2026-08-10（实时）"]
    headers = rows[2]
    assert headers[:4] == ["序号", "地区", "走访对象数", "已走访人数"]
    assert headers[-1] == "汇总表报送情况"
    first = rows[3]
    assert (first[0], first[1], first[2], first[-1]) == (1, "鼓楼区", 6, "已审核")
    assert float(first[headers.index("发放慰问金（元）")]) == 24000.0
    assert sheet.cell(row=4, column=headers.index("走访率") + 1).number_format == "0.0%"
    total = next(row for row in rows if row[1] == "合计")
    assert (total[0], total[2], total[-1]) == (None, 9, "已报送2个县，已审核1个")


def test_the_summary_table_as_of_a_past_day_and_published(api: ReportingApi) -> None:
    events = campaign_events(api)
    api.freeze(date(2026, 8, 1))
    api.deliver(*events[:7])
    api.freeze(date(2026, 8, 10))
    api.deliver(*events[7:])
    api.project()
    before = api.get(f"/summary-tables/{CAMPAIGN}", region="3501", as_of="2026-08-01")
    assert before["as_of"] == "2026-08-01"
    assert figures(before["total"])["reached"] == 4
    assert figures(before["total"])["money_fen"] == 0  # no table was in yet
    assert before["total"]["status"] == "已报送0个县，已审核0个"
    published = api.get(f"/summary-tables/{CAMPAIGN}", region="3501", publish="true")
    assert figures(published["total"])["targets"] == 9
    assert by_region(published)[OTHER_COUNTY]["targets"] is None  # 3 < 5
    # Counties' tables are not people: their status is shown however few they are.
    assert {row["region"]: row["status"] for row in published["rows"]}[OTHER_COUNTY] == "待审核"
    assert figures(published["total"])["late"] == 1


def test_every_new_counter_equals_a_replay_a_rebuild_and_vet_verify(api: ReportingApi) -> None:
    feed = RegistryFeed()
    events = [
        *fund_events(api),
        *campaign_events(api, feed),
        feed.registered("p-9", VILLAGE_A, key_contact_reasons=["other"]),
    ]
    events.append(
        api.upstream("ContactWithdrawn", "outreach", 40, VILLAGE_B, {"contact_id": "c-4", "person_id": "p-2"})
    )
    api.deliver(*events[:8])
    api.project(batch_size=3)
    api.deliver(*events[8:])
    api.project(batch_size=2)
    live = api.read_models()
    # The withdrawal came in a batch of its own: its campaign was read from the contact's note.
    assert figures(api.get(f"/summary-tables/{CAMPAIGN}", region="3501")["total"])["reached"] == 3
    assert any(doc["topic"] == f"campaigns/{CAMPAIGN}" for doc in live["counters"])
    assert any(doc["topic"] == "funds/f-1" for doc in live["counters"])

    api.forget_checkpoint()  # replayed with batches cut differently
    api.project(batch_size=5)
    assert api.read_models() == live
    api.rebuild()
    assert api.read_models() == live
    assert asyncio.run(verify(definition, api.settings, show_progress=False)) == []
