"""The Zhuhai case (seed 002) through HTTP with a fixed clock: a veteran with cancer gets 1,600 yuan of temporary
hardship aid (三难 aid), applied for by the station on his behalf and taken through every step to payment and the
follow-up visit; then major-illness emergency aid: medical cost 207,000, insurance 187,800, other aid 1,600 →
17,600 still to pay, over the 10,000 threshold → 14,080 paid at 80 %, approved by the county and the city."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration  # read models on the MongoDB-wire server

CITY, DISTRICT, STREET, COMMUNITY = "4404", "440402", "440402001", "440402001001"
PERSON = "7d1c1f0e-5a1b-4c57-9e0e-2f7a3c4b5d60"


def run_to_payment(api: Any, application_id: str, county: str, city: str | None = None) -> dict[str, Any]:
    url = f"/applications/{application_id}"
    accepted = api.ok(f"{url}/accept", {}, "station_staff", STREET)
    for level_region in [county, city][: len(accepted["levels"])]:
        assert level_region is not None
        api.ok(f"{url}/approve", {"reason": "情况属实，符合条件"}, "approver", level_region)
    api.ok(f"{url}/notify", {"method": "visit", "notified_on": "2020-09-01"}, "station_staff", STREET)
    key = f"pay-{application_id}"
    paid = api.ok(
        f"{url}/disburse",
        {"payment_reference": "ZH-2020-0901", "paid_on": "2020-09-01"},
        "officer",
        DISTRICT,
        **{"Idempotency-Key": key},
    )
    return paid


def test_the_zhuhai_case_from_hardship_aid_to_major_illness_emergency_aid(api: Any) -> None:
    api.hear(api.feed.registered(PERSON, COMMUNITY, key_contact_reasons=["living_in_difficulty"], household="urban"))
    hardship = api.ok(
        "/funds",
        {
            "name": "2020年优抚临时困难救助",
            "kind": "temporary_hardship_aid",
            "region": DISTRICT,
            "year": 2020,
            "budget_fen": 50_000_000,
            "rules": {
                "eligibility": {"key_contact_reasons": ["living_in_difficulty", "extremely_poor"]},
                "amount": {"kind": "fixed", "amount_fen": 160_000},
                "yearly_ceiling_fen": 300_000,
                "approval": {"accept": "township", "levels": [{"level": "county"}]},
            },
        },
        "officer",
        DISTRICT,
    )["id"]
    emergency = api.ok(
        "/funds",
        {
            "name": "2020年退役军人重大疾病应急救助",
            "kind": "emergency_aid",
            "region": CITY,
            "year": 2020,
            "budget_fen": 100_000_000,
            "rules": {
                "amount": {
                    "kind": "share_of_remainder",
                    "threshold_fen": 1_000_000,
                    "share_percent": 80,
                    "cap_fen": 5_000_000,
                },
                "approval": {
                    "accept": "township",
                    "levels": [{"level": "county"}, {"level": "city", "from_fen": 1_000_000}],
                },
            },
        },
        "officer",
        CITY,
    )["id"]

    # 1. The three-difficulties aid, filed by the street's station on his behalf (代办).
    first = api.ok(
        "/applications",
        {"fund_id": hardship, "person_id": PERSON, "on_behalf_of": True, "documents": ["申请表", "病历"]},
        "station_staff",
        STREET,
    )["id"]
    paid = run_to_payment(api, first, DISTRICT)
    assert (paid["status"], paid["amount_yuan"], paid["payment"]["reference"]) == (
        "disbursed",
        "1,600.00",
        "ZH-2020-0901",
    )
    evaluated = api.ok(f"/applications/{first}/evaluate", {"finding": "已用于治疗和生活开支"}, "station_staff", STREET)
    assert [step["step"] for step in evaluated["steps"]] == [
        "submitted",
        "accepted",
        "approved",
        "notified",
        "disbursed",
        "evaluated",
    ]

    # 2. Major-illness emergency aid: 80 % of what remains after insurance and the 1,600 of hardship aid.
    second = api.ok(
        "/applications",
        {
            "fund_id": emergency,
            "person_id": PERSON,
            "on_behalf_of": True,
            "facts": {"medical_cost_fen": 20_700_000, "insurance_paid_fen": 18_780_000, "other_aid_fen": 160_000},
            "documents": ["医疗费用清单", "医保结算单"],
        },
        "station_staff",
        STREET,
    )["id"]
    paid = run_to_payment(api, second, DISTRICT, CITY)
    assert paid["amount_yuan"] == "14,080.00"
    shown = api.get(f"/applications/{second}", "officer", CITY)
    assert shown["approved_levels"] == ["county", "city"]
    assert shown["decision"] == {
        "rules_version": 1,
        "amount_rule": {
            "kind": "share_of_remainder",
            "threshold_fen": 1_000_000,
            "share_percent": 80,
            "cap_fen": 5_000_000,
        },
        "yearly_ceiling_fen": None,
        "inputs": {"medical_cost_fen": 20_700_000, "insurance_paid_fen": 18_780_000, "other_aid_fen": 160_000},
        "remainder_fen": 1_760_000,
        "share_fen": 1_408_000,
        "amount_fen": 1_408_000,
    }

    # 3. The funds' figures and his ledger.
    api.project()
    fund = api.get(f"/funds/{hardship}", "officer", DISTRICT)
    assert (fund["committed_fen"], fund["disbursed_fen"], fund["remaining_yuan"]) == (160_000, 160_000, "498,400.00")
    ledger = api.get(f"/persons/{PERSON}/ledger", "officer", CITY)
    assert sorted((row["fund_id"], row["paid_fen"]) for row in ledger["by_fund_and_year"]) == sorted(
        [(hardship, 160_000), (emergency, 1_408_000)]
    )
    listed = api.get("/applications", "officer", CITY, person_id=PERSON)
    assert {item["status"] for item in listed["items"]} == {"evaluated", "disbursed"}
    waiting = api.get("/applications", "station_staff", STREET, waiting_for="evaluate")
    assert [item["id"] for item in waiting["items"]] == [second]


def test_refusals_through_http_say_why_and_record_nothing(api: Any) -> None:
    api.hear(api.feed.registered(PERSON, COMMUNITY))
    fund = api.ok(
        "/funds",
        {
            "name": "临时救助",
            "kind": "temporary_hardship_aid",
            "region": DISTRICT,
            "year": 2020,
            "budget_fen": 160_000,
            "rules": {"amount": {"kind": "fixed", "amount_fen": 160_000}},
        },
        "officer",
        DISTRICT,
    )["id"]
    application = api.ok(
        "/applications", {"fund_id": fund, "person_id": PERSON, "on_behalf_of": True}, "station_staff", STREET
    )["id"]
    before = api.recorded()

    early = api.post(f"/applications/{application}/approve", {"reason": "同意"}, "approver", DISTRICT)
    assert early.status_code == 409, early.text
    assert "不能审批" in early.json()["detail"]
    wrong_level = api.post(f"/applications/{application}/accept", {}, "station_staff", DISTRICT)
    assert wrong_level.status_code == 403
    assert "乡镇（街道）" in wrong_level.json()["detail"]
    wrong_role = api.post(f"/applications/{application}/accept", {}, "approver", STREET)
    assert wrong_role.status_code == 403
    elsewhere = api.post(f"/applications/{application}/accept", {}, "station_staff", "440402002")
    assert elsewhere.status_code == 404
    no_reason = api.post(f"/applications/{application}/deny", {"reason": " "}, "approver", DISTRICT)
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["field"] == "reason"
    cut = api.post(f"/funds/{fund}/budget", {"budget_fen": -1, "reason": "x"}, "officer", DISTRICT)
    assert cut.status_code == 422
    assert cut.json()["detail"][0]["field"] == "budget_fen"
    assert api.recorded() == before

    api.ok(f"/applications/{application}/accept", {}, "station_staff", STREET)
    api.ok(f"/applications/{application}/approve", {"reason": "同意"}, "approver", DISTRICT)
    below = api.post(f"/funds/{fund}/budget", {"budget_fen": 100, "reason": "压减"}, "officer", DISTRICT)
    assert below.status_code == 409
    assert "已承诺" in below.json()["detail"]
    api.ok(
        f"/applications/{application}/notify", {"method": "phone", "notified_on": "2020-09-01"}, "station_staff", STREET
    )
    body = {"payment_reference": "R-1", "paid_on": "2020-09-01"}
    keyless = api.post(f"/applications/{application}/disburse", body, "officer", DISTRICT)
    assert keyless.status_code == 422
    assert keyless.json()["detail"][0]["field"] == "Idempotency-Key"
    first = api.post(f"/applications/{application}/disburse", body, "officer", DISTRICT, **{"Idempotency-Key": "k1"})
    again = api.post(f"/applications/{application}/disburse", body, "officer", DISTRICT, **{"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    other = api.post(
        f"/applications/{application}/disburse",
        {**body, "payment_reference": "R-2"},
        "officer",
        DISTRICT,
        **{"Idempotency-Key": "k2"},
    )
    assert other.status_code == 409
    assert "不能重复拨付" in other.json()["detail"]
