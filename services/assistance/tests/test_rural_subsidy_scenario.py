"""A rural veteran turning 60 through HTTP: the registry's alert proposes an enrolment (200 yuan a month), an officer
confirms it, the first payroll pays him and its bank file is downloaded; after his death the next month's does not."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest

pytestmark = pytest.mark.integration  # read models on the MongoDB-wire server

COUNTY, TOWNSHIP, VILLAGE = "350102", "350102001", "350102001001"
VETERAN, NEIGHBOUR = "0b6f3c2e-1111-4a5b-8c9d-000000000060", "0b6f3c2e-2222-4a5b-8c9d-000000000061"


def test_a_rural_veteran_turning_60_is_enrolled_from_the_alert_paid_and_stopped_after_death(api: Any) -> None:
    api.clock.set(api.clock.today().replace(year=2026, month=8, day=20))
    fund = api.ok(
        "/funds",
        {
            "name": "2026年农村退役士兵老年生活补助",
            "kind": "regular_entitlement",
            "region": COUNTY,
            "year": 2026,
            "budget_fen": 100_000_000,
            "rules": {"eligibility": {"household": "rural"}, "amount": {"kind": "monthly", "monthly_fen": 20_000}},
        },
        "officer",
        COUNTY,
    )["id"]
    for person in (VETERAN, NEIGHBOUR):
        api.hear(api.feed.registered(person, VILLAGE, household="rural", birth_year=1966))
    api.hear(
        api.feed.event(
            "EligibilityAlertRaised",
            VETERAN,
            kind="rural_veteran_turning_60",
            occasion="2026-09-15",
            due_on="2026-09-15",
        )
    )
    api.ok("/enrolments", {"fund_id": fund, "person_id": NEIGHBOUR, "start_month": "2026-10"}, "officer", COUNTY)
    api.project()
    [proposed] = api.get("/enrolments", "officer", COUNTY, status="proposed")["items"]
    assert (proposed["person_id"], proposed["start_month"], proposed["monthly_fen"]) == (VETERAN, "2026-10", 20_000)
    confirmed = api.ok(f"/enrolments/{proposed['id']}/confirm", {}, "officer", COUNTY)
    assert confirmed["status"] == "active"
    api.project()

    october = api.ok("/payrolls", {"fund_id": fund, "month": "2026-10"}, "officer", COUNTY)
    assert (october["lines"], october["total_fen"], october["status"]) == (2, 40_000, "computed")
    again = api.post("/payrolls", {"fund_id": fund, "month": "2026-10"}, "officer", COUNTY)
    assert again.status_code == 200
    assert again.json()["id"] == october["id"]
    early = api.post(f"/payrolls/{october['id']}/release", {}, "officer", COUNTY)
    assert early.status_code == 409
    assert "须先审批" in early.json()["detail"]
    api.ok(f"/payrolls/{october['id']}/approve", {}, "approver", COUNTY)
    assert api.ok(f"/payrolls/{october['id']}/release", {}, "officer", COUNTY)["status"] == "released"

    sheet = api.client.get(f"/payrolls/{october['id']}/bank-file", headers=api.headers("officer", COUNTY))
    assert sheet.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "人员编号", "行政区划", "发放月份", "金额（元）")
    assert sorted(row[1] for row in rows[1:3]) == sorted([VETERAN, NEIGHBOUR])
    assert {row[4] for row in rows[1:3]} == {"200.00"}
    text = api.client.get(
        f"/payrolls/{october['id']}/bank-file", params={"format": "csv"}, headers=api.headers("officer", COUNTY)
    )
    assert text.headers["content-type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))) == 3

    api.project()
    [entry] = api.get(f"/persons/{VETERAN}/ledger", "officer", COUNTY)["entries"]
    assert (entry["kind"], entry["months_paid"], entry["paid_fen"]) == ("enrolment", ["2026-10"], 20_000)
    assert entry["approved_fen"] == 60_000  # October to December's entitlement

    api.hear(api.feed.died(VETERAN, "2026-10-28"))  # paid for October, the month he died; not after
    api.clock.set(api.clock.today().replace(month=11, day=1))
    api.project()
    november = api.ok("/payrolls", {"fund_id": fund, "month": "2026-11"}, "officer", COUNTY)
    assert (november["lines"], november["total_fen"]) == (1, 20_000)
    [ended] = api.get("/enrolments", "officer", COUNTY, status="ended")["items"]
    assert (ended["person_id"], ended["last_month"], ended["end_reason"]) == (VETERAN, "2026-10", "died")
    [total] = api.get(f"/persons/{VETERAN}/ledger", "officer", COUNTY)["by_fund_and_year"]
    assert (total["year"], total["approved_fen"], total["paid_fen"]) == (2026, 20_000, 20_000)
