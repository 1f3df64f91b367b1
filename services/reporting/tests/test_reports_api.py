"""Figures as of a past day, exports, published figures, and the county-to-city report approval."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration

ReportingApi = Any  # conftest.ReportingApi
COUNTY, TOWNSHIP_A, VILLAGE_A, VILLAGE_B = "350102", "350102001", "350102001001", "350102002001"


def total(body: dict[str, Any]) -> dict[str, Any]:
    return body["total"]["figures"]  # type: ignore[no-any-return]


def test_as_of_answers_as_the_archive_stood_at_the_end_of_that_day(api: ReportingApi) -> None:
    feed = RegistryFeed()
    api.freeze(datetime(2026, 8, 3, 15, 59, tzinfo=UTC))  # 23:59 in China on 3 August
    api.deliver(feed.registered("p-1"), feed.registered("p-2", VILLAGE_B))
    api.freeze(datetime(2026, 8, 3, 16, 1, tzinfo=UTC))  # 00:01 on 4 August
    api.deliver(feed.registered("p-3"), feed.died("p-1"))
    api.freeze(date(2026, 8, 10))
    api.project()

    assert total(api.stats())["people"] == 2
    first = api.stats(as_of="2026-08-03")
    assert first["as_of"] == "2026-08-03"
    assert total(first)["people"] == 2
    assert total(first)["status.deceased"] == 0
    assert {row["region"]: row["figures"]["people"] for row in first["rows"]}["350102002"] == 1
    again = api.stats(as_of="2026-08-03")
    assert again["total"] == first["total"]
    assert again["rows"] == first["rows"]
    assert total(api.stats(as_of="2026-08-04"))["status.deceased"] == 1

    response = api.client.get("/stats/people", params={"as_of": "2026-08-11"}, headers=api.headers())
    assert response.status_code == 422
    assert "as_of" in response.text


def test_an_export_has_chinese_headers_region_names_yuan_and_its_dates(api: ReportingApi) -> None:
    feed = RegistryFeed()
    api.deliver(*(feed.registered(f"p-{n}") for n in range(6)), api.fund_created(1, 12_345_678), api.fund_created(2, 5))
    api.project()
    response = api.client.get(
        "/stats/funds/export", params={"region": "3501", "as_of": "2026-08-10"}, headers=api.headers(region="3501")
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["区划代码", "区划名称", "资金项目数", "预算（元）"]
    assert rows[1][:3] == ["3501", "福州市（合计）", 2]
    assert float(rows[1][3]) == 123456.83  # type: ignore[arg-type]
    assert sheet.cell(row=2, column=4).number_format == "#,##0.00"
    assert rows[rows.index(next(r for r in rows if r[0] == "350102"))][:3] == ["350102", "鼓楼区", 2]
    notes = [row[0] for row in rows if row[0] and str(row[0]).startswith(("制表日期", "数据截至"))]
    assert notes == ["制表日期：2026-08-10", "数据截至：2026-08-10 24:00"]

    response = api.client.get("/stats/people/export", params={"format": "csv"}, headers=api.headers())
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["区划代码", "区划名称", "在册人数"]
    assert table[1][:3] == ["350102", "鼓楼区（合计）", "6"]


def test_published_figures_suppress_small_counts(api: ReportingApi) -> None:
    feed = RegistryFeed()
    api.deliver(*(feed.registered(f"p-{n}") for n in range(6)), feed.registered("p-b", VILLAGE_B))
    api.project()
    body = api.stats(publish="true")
    assert body["published"] is True
    assert body["threshold"] == 5
    assert total(body)["people"] == 7
    rows = {row["region"]: row["figures"] for row in body["rows"]}
    assert rows[TOWNSHIP_A]["people"] == 6
    assert rows["350102002"]["people"] is None  # one person: suppressed
    assert rows["350102003"]["people"] == 0  # nobody cannot identify anybody
    response = api.client.get(
        "/stats/people/export", params={"format": "csv", "publish": "true"}, headers=api.headers()
    )
    assert "<5" in response.content.decode("utf-8-sig")


def test_a_county_submits_the_city_approves_and_late_events_show_as_corrections(api: ReportingApi) -> None:
    feed = RegistryFeed()
    api.deliver(feed.registered("p-1"), feed.registered("p-2"))
    api.project()
    county = api.headers("officer", COUNTY)
    submitted = api.client.post(
        "/reports", json={"topic": "people", "region": COUNTY, "period": "2026-08"}, headers=county
    )
    assert submitted.status_code == 201, submitted.text
    report = submitted.json()["id"]
    api.project()

    again = api.client.post("/reports", json={"topic": "people", "region": COUNTY, "period": "2026-08"}, headers=county)
    assert again.status_code == 409
    by_county = api.client.post(f"/reports/{report}/approve", headers=api.headers("approver", COUNTY))
    assert by_county.status_code == 403
    assert "city" in by_county.text
    other_city = api.client.post(f"/reports/{report}/approve", headers=api.headers("approver", "3502"))
    assert other_city.status_code == 404

    returned = api.client.post(
        f"/reports/{report}/return", json={"reason": "请核对迁入人数"}, headers=api.headers("approver", "3501")
    )
    assert returned.status_code == 200, returned.text
    api.project()
    listed = api.get("/reports", region="3501", period="2026-08")
    assert [(r["status"], r["reason"]) for r in listed] == [("returned", "请核对迁入人数")]

    assert (
        api.client.post(
            "/reports", json={"topic": "people", "region": COUNTY, "period": "2026-08"}, headers=county
        ).status_code
        == 201
    )
    approved = api.client.post(f"/reports/{report}/approve", headers=api.headers("approver", "3501"))
    assert approved.status_code == 200, approved.text
    api.deliver(feed.registered("p-3"))  # arrives after the approval
    api.project()

    body = api.stats(period="2026-08")
    assert body["locked"] is True
    assert total(body)["people"] == 2
    assert body["corrections"]["people"] == 1
    assert body["corrections"]["registered"] == 1
    assert total(api.stats(period="2026-Q3"))["people"] == 3  # other periods are not locked
    locked_again = api.client.post(
        f"/reports/{report}/return", json={"reason": "x"}, headers=api.headers("approver", "3501")
    )
    assert locked_again.status_code == 409
    assert "locked" in locked_again.text


def test_a_report_is_a_county_s_and_of_a_period(api: ReportingApi) -> None:
    county = api.headers("officer", COUNTY)
    township = api.client.post(
        "/reports", json={"topic": "people", "region": TOWNSHIP_A, "period": "2026"}, headers=county
    )
    assert township.status_code == 422
    assert township.json()["detail"][0]["field"] == "region"
    whole = api.client.post("/reports", json={"topic": "people", "region": COUNTY, "period": "all"}, headers=county)
    assert whole.status_code == 422
    staff = api.client.post(
        "/reports", json={"topic": "people", "region": COUNTY, "period": "2026"}, headers=api.headers("station_staff")
    )
    assert staff.status_code == 403
    assert api.app.process_recorder.max_notification_id() is None  # nothing was recorded
