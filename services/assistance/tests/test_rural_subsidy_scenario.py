"""A rural veteran turning 60 through HTTP: the registry's alert proposes an enrolment (200 yuan a month), an officer
confirms it, the first payroll pays him and its bank file is downloaded; after his death the next month's does not."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from pymongo import MongoClient

from assistance.identities import Identity
from vet_common.idnumber import make_id_number

pytestmark = pytest.mark.integration  # read models on the MongoDB-wire server

COUNTY, TOWNSHIP, VILLAGE = "350102", "350102001", "350102001001"
ID_NUMBERS = [make_id_number(COUNTY, date(1966, 9, 15), 1, "male"), make_id_number(COUNTY, date(1966, 3, 2), 2, "male")]
VETERAN, NEIGHBOUR = "0b6f3c2e-1111-4a5b-8c9d-000000000060", "0b6f3c2e-2222-4a5b-8c9d-000000000061"
BANK, ACCOUNTS = "中国农业银行福州鼓楼支行", ["6228480402564890018", "6228480402564890026"]


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

    api.clock.set(api.clock.today().replace(month=10, day=8))
    [due] = api.get("/payrolls", "officer", COUNTY)["funds"]  # this month's, nothing computed yet: late
    assert (due["fund_id"], due["status"], due["on_time"]) == (fund, "not_computed", False)
    october = api.ok("/payrolls", {"fund_id": fund, "month": "2026-10"}, "officer", COUNTY)
    assert (october["lines"], october["total_fen"], october["status"]) == (2, 40_000, "computed")
    again = api.post("/payrolls", {"fund_id": fund, "month": "2026-10"}, "officer", COUNTY)
    assert again.status_code == 200
    assert again.json()["id"] == october["id"]
    early = api.post(f"/payrolls/{october['id']}/release", {}, "officer", COUNTY)
    assert early.status_code == 409
    assert "须先审批" in early.json()["detail"]
    api.ok(f"/payrolls/{october['id']}/approve", {}, "approver", COUNTY)
    bank_file = f"/payrolls/{october['id']}/bank-file"
    unreleased = api.client.get(bank_file, headers=api.headers("officer", COUNTY))
    assert unreleased.status_code == 409
    assert "发放后才能下载" in unreleased.json()["detail"]
    assert api.ok(f"/payrolls/{october['id']}/release", {}, "officer", COUNTY)["status"] == "released"
    api.project()
    month = api.get("/payrolls", "officer", COUNTY, month="2026-10")
    assert (month["late"], month["funds"][0]["status"], month["funds"][0]["lines"]) == (0, "released", 2)
    assert api.get("/payrolls", "officer", "350103", month="2026-10")["funds"] == []  # another county's view

    officer = api.headers("officer", COUNTY)
    veteran, neighbour = Identity("王邦建", ID_NUMBERS[0]), Identity("李四", ID_NUMBERS[1])
    api.registry.people = {VETERAN: veteran, NEIGHBOUR: neighbour}  # known, but neither has a payment account
    without = api.client.get(bank_file, headers=officer)
    assert without.status_code == 409
    assert "2 名人员尚未在登记服务登记发放账户" in without.json()["detail"]
    assert sorted(without.json()["missing"]) == sorted([VETERAN, NEIGHBOUR])
    api.registry.people = {
        VETERAN: Identity("王邦建", ID_NUMBERS[0], BANK, ACCOUNTS[0]),
        NEIGHBOUR: neighbour,  # one without is enough to refuse: no file goes out half-filled
    }
    one_without = api.client.get(bank_file, headers=officer)
    assert (one_without.status_code, one_without.json()["missing"]) == (409, [NEIGHBOUR])
    assert "1 名人员尚未" in one_without.json()["detail"]
    api.registry.people[NEIGHBOUR] = Identity("李四", ID_NUMBERS[1], BANK, ACCOUNTS[1])
    api.registry.calls.clear()
    sheet = api.client.get(bank_file, headers=officer)
    assert sheet.status_code == 200, sheet.text
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    header = ("序号", "姓名", "身份证号码", "开户银行", "账号", "人员编号", "行政区划", "发放月份", "金额（元）")
    assert rows[0] == header
    assert sorted(row[1:6] for row in rows[1:3]) == sorted(
        [("王邦建", ID_NUMBERS[0], BANK, ACCOUNTS[0], VETERAN), ("李四", ID_NUMBERS[1], BANK, ACCOUNTS[1], NEIGHBOUR)]
    )
    assert {row[8] for row in rows[1:3]} == {"200.00"}
    [(asked, purpose, authorization)] = api.registry.calls  # the ID numbers, asked with the caller's token
    assert (sorted(asked), authorization) == (sorted([VETERAN, NEIGHBOUR]), officer["Authorization"])
    assert "2026-10" in purpose
    assert october["id"] in purpose
    text = api.client.get(bank_file, params={"format": "csv"}, headers=officer)
    assert text.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert len(lines) == 3
    assert {line[2] for line in lines[1:]} == set(ID_NUMBERS)
    assert {line[4] for line in lines[1:]} == set(ACCOUNTS)  # the whole number, as the bank needs it

    api.project()
    assert not stored_anywhere(api, [*ID_NUMBERS, *ACCOUNTS])  # neither in events nor in read models: only in the file
    assert {where.split()[0] for where in stored_anywhere(api, [VETERAN])} >= {"event", "enrolments"}  # it looks

    api.registry.people = {VETERAN: api.registry.people[VETERAN]}  # the registry does not know one of them
    incomplete = api.client.get(bank_file, headers=officer)
    assert incomplete.status_code == 409
    assert incomplete.json()["missing"] == [NEIGHBOUR]
    station = api.client.get(bank_file, headers=api.headers("station_staff", TOWNSHIP))
    assert station.status_code == 403

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


def stored_anywhere(api: Any, texts: list[str]) -> list[str]:
    """Where any of `texts` is kept by assistance: a decoded event of its store, or a read-model document."""
    found = []
    for notification in api.app.recorder.select_notifications(start=1, limit=10_000):
        event = api.app.mapper.to_domain_event(notification)
        if any(text in repr(event.__dict__) for text in texts):
            found.append(f"event {type(event).__qualname__}")
    with MongoClient[dict[str, Any]](api.settings.mongo_url) as client:
        db = client[api.settings.read_model_db_name]
        for name in db.list_collection_names():
            found += [f"{name} {doc['_id']}" for doc in db[name].find() if any(text in repr(doc) for text in texts)]
    return found
