"""Regular entitlements paid once a year (按年发放, e.g. 义务兵家庭优待金): a yearly amount paid in the fund's pay
month of every year the enrolment runs through it; never twice in a year, not after death; refusals record
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from assistance import ledger
from assistance.domain import Enrolment, EnrolmentRoll, paid_in
from assistance.rules import FundKind, Rules
from vet_common.domain import Invalid

YEARLY_RULES: dict[str, Any] = {"amount": {"kind": "yearly", "yearly_fen": 600_000, "pay_month": 3}}


@pytest.mark.parametrize(
    ("month", "first", "last", "pay_month", "paid"),
    [
        ("2026-05", "2026-01", None, None, True),  # monthly: every month it runs
        ("2025-12", "2026-01", None, None, False),
        ("2026-10", "2026-01", "2026-09", None, False),
        ("2026-03", "2026-01", None, 3, True),  # yearly: in the pay month
        ("2026-04", "2026-01", None, 3, False),
        ("2026-03", "2026-03", None, 3, True),  # starting in the pay month: paid then
        ("2026-03", "2026-05", None, 3, False),  # starting after it: first paid the next year
        ("2027-03", "2026-05", None, 3, True),
        ("2027-03", "2026-01", "2027-02", 3, False),  # ended (died) before the pay month
        ("2027-03", "2026-01", "2027-03", 3, True),  # the month of death is paid
    ],
)
def test_when_an_enrolment_is_paid(month: str, first: str, last: str | None, pay_month: int | None, paid: bool) -> None:
    assert paid_in(month, first, last, pay_month) is paid


def test_the_roll_pays_as_paid_in_says_entries_from_before_yearly_amounts_too() -> None:
    roll = EnrolmentRoll(fund_id="f-1", share=0)
    roll.enter(
        enrolment_id="m", person_id="p-m", region="350102", amount_fen=20_000, start_month="2026-01", pay_month=None
    )
    roll.enter(
        enrolment_id="y", person_id="p-y", region="350102", amount_fen=600_000, start_month="2026-05", pay_month=3
    )
    roll.entries["old"] = ["p-old", "350102", 20_000, "2026-01", "2026-06"]  # entered before yearly amounts
    for month in ("2026-03", "2026-06", "2026-07", "2027-03"):
        expected = {
            "m": True,
            "y": paid_in(month, "2026-05", None, 3),
            "old": paid_in(month, "2026-01", "2026-06", None),
        }
        assert {line[0] for line in roll.payable_in(month)} == {key for key, paid in expected.items() if paid}


def test_a_yearly_rule_names_its_amount_and_a_real_pay_month() -> None:
    assert Rules.model_validate(YEARLY_RULES).amount.pay_month == 3  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="pay_month"):
        Rules.model_validate({"amount": {"kind": "yearly", "yearly_fen": 600_000, "pay_month": 13}})
    with pytest.raises(ValueError, match="pay_month"):
        Rules.model_validate({"amount": {"kind": "yearly", "yearly_fen": 600_000}})


def yearly_fund(desk: Any, region: str = "350102") -> Any:
    return desk.fund(YEARLY_RULES, kind=FundKind.regular_entitlement, region=region, name="义务兵家庭优待金")


def enrol(desk: Any, fund_id: Any, person_id: str, start: str, **amount: int) -> Any:
    desk.person(person_id)
    return enrol_known(desk, fund_id, person_id, start, **amount)


def enrol_known(desk: Any, fund_id: Any, person_id: str, start: str, **amount: int) -> Any:
    return desk.app.enrol(
        fund_id=fund_id,
        person_id=person_id,
        monthly_fen=amount.get("monthly_fen"),
        start_month=start,
        principal=desk.OFFICER,
        yearly_fen=amount.get("yearly_fen"),
    )


def test_a_yearly_amount_is_paid_once_a_year_in_the_pay_month(desk: Any) -> None:
    fund_id = yearly_fund(desk)
    early = enrol(desk, fund_id, "p-early", "2026-01")
    late = enrol(desk, fund_id, "p-late", "2026-05", yearly_fen=480_000)  # after this year's pay month
    enrolment: Enrolment = desk.app.enrolment(early, desk.OFFICER)
    assert (enrolment.monthly_fen, enrolment.yearly_fen, enrolment.pay_month) == (0, 600_000, 3)

    march, _ = desk.app.compute_payroll(fund_id, "2026-03", desk.OFFICER)
    assert [(line[0], line[3]) for line in march.lines] == [(str(early), 600_000)]
    for month in ("2026-04", "2026-05", "2026-12", "2027-01"):
        assert desk.app.compute_payroll(fund_id, month, desk.OFFICER)[0].lines == []
    next_march, _ = desk.app.compute_payroll(fund_id, "2027-03", desk.OFFICER)
    assert sorted((line[0], line[3]) for line in next_march.lines) == sorted(
        [(str(early), 600_000), (str(late), 480_000)]
    )
    assert desk.app.compute_payroll(fund_id, "2026-03", desk.OFFICER) == (march, False)  # the month's claim holds


def test_a_death_before_the_pay_month_stops_that_years_payment(desk: Any) -> None:
    fund_id = yearly_fund(desk)
    enrol(desk, fund_id, "p-1", "2026-01")
    desk.hear(desk.feed.died("p-1", "2027-02-10"))
    assert desk.app.compute_payroll(fund_id, "2027-03", desk.OFFICER)[0].lines == []


def test_a_transfer_after_this_years_payment_is_proposed_there_from_next_january(desk: Any) -> None:
    here, there = yearly_fund(desk), yearly_fund(desk, "350103")
    enrol(desk, here, "p-1", "2026-01")  # paid in March 2026; the feed's transfer is of August 2026
    desk.hear(desk.feed.transferred("p-1", "350103001002"))
    proposed: Enrolment = desk.app.get_or_none(Enrolment.create_id(there, "p-1"))
    assert (proposed.status, proposed.start_month, proposed.yearly_fen) == ("proposed", "2027-01", 600_000)


def test_a_transfer_from_a_yearly_to_a_monthly_fund_is_proposed_from_the_next_month(desk: Any) -> None:
    here = yearly_fund(desk)
    there = desk.fund(desk.MONTHLY_RULES, kind=FundKind.regular_entitlement, region="350103")
    enrol(desk, here, "p-1", "2026-01")
    desk.hear(desk.feed.transferred("p-1", "350103001002"))  # August 2026
    proposed: Enrolment = desk.app.get_or_none(Enrolment.create_id(there, "p-1"))
    assert (proposed.start_month, proposed.monthly_fen, proposed.yearly_fen) == ("2026-09", 20_000, None)


def test_the_rural_veterans_alert_proposes_no_enrolment_in_a_fund_paying_yearly(desk: Any) -> None:
    fund_id = yearly_fund(desk)
    desk.person("p-1")
    alert = desk.feed.event(
        "EligibilityAlertRaised", "p-1", kind="rural_veteran_turning_60", occasion="2026-09-15", due_on="2026-09-15"
    )
    assert desk.hear(alert) is True  # heard (tracked), and nothing proposed: the 200 yuan a month is monthly
    assert desk.app.get_or_none(Enrolment.create_id(fund_id, "p-1")) is None


def test_amounts_of_the_other_period_are_refused_on_the_field_and_nothing_is_recorded(desk: Any) -> None:
    yearly, monthly = yearly_fund(desk), desk.fund(desk.MONTHLY_RULES, kind=FundKind.regular_entitlement)
    desk.person("p-1")
    recorded = desk.app.recorder.max_notification_id()
    with pytest.raises(Invalid, match="按年发放") as refused:
        enrol_known(desk, yearly, "p-1", "2026-09", monthly_fen=20_000)
    assert refused.value.field == "monthly_fen"
    with pytest.raises(Invalid, match="按月发放") as refused:
        enrol_known(desk, monthly, "p-1", "2026-09", yearly_fen=600_000)
    assert refused.value.field == "yearly_fen"
    with pytest.raises(Invalid, match="不能改为按月发放") as refused:
        desk.app.version_rules(yearly, Rules.model_validate(desk.MONTHLY_RULES), "改按月", desk.OFFICER)
    assert refused.value.field == "rules.amount.kind"
    assert desk.app.recorder.max_notification_id() == recorded


def test_a_proposed_yearly_enrolment_is_confirmed_with_a_yearly_amount(desk: Any) -> None:
    here, there = yearly_fund(desk), yearly_fund(desk, "350103")
    enrol(desk, here, "p-1", "2026-01")
    desk.hear(desk.feed.transferred("p-1", "350103001002"))
    proposal = Enrolment.create_id(there, "p-1")
    officer = desk.principal("officer", "350103", "officer-2")
    recorded = desk.app.recorder.max_notification_id()
    with pytest.raises(Invalid) as refused:
        desk.app.confirm_enrolment(proposal, 20_000, None, officer)
    assert refused.value.field == "monthly_fen"
    assert desk.app.recorder.max_notification_id() == recorded
    confirmed = desk.app.confirm_enrolment(proposal, None, None, officer, yearly_fen=500_000)
    assert (confirmed.status, confirmed.yearly_fen, confirmed.monthly_fen) == ("active", 500_000, 0)
    assert [line[3] for line in desk.app.compute_payroll(there, "2027-03", officer)[0].lines] == [500_000]


def test_the_ledger_counts_a_yearly_amount_in_each_year_it_runs_through_the_pay_month() -> None:
    doc = {
        "_id": "e-1", "fund_id": "f-1", "status": "ended", "start_month": "2026-05", "last_month": "2028-06",
        "monthly_fen": 0, "yearly_fen": 600_000, "pay_month": 3,
    }  # fmt: skip
    entries = ledger.enrolment_entries(doc, [("2027-03", 600_000)], 2028)
    assert [(e.year, e.approved_fen, e.paid_fen, e.yearly_fen) for e in entries] == [
        (2026, 0, 0, 600_000),  # started after March
        (2027, 600_000, 600_000, 600_000),
        (2028, 600_000, 0, 600_000),  # ran through March: due (not yet released)
    ]


# Through HTTP --------------------------------------------------------------------------------------------------

PERSON, OTHER = "0b6f3c2e-3333-4a5b-8c9d-000000000070", "0b6f3c2e-4444-4a5b-8c9d-000000000071"
COUNTY, VILLAGE = "350102", "350102001001"


@pytest.mark.integration  # read models on the MongoDB-wire server
def test_a_yearly_fund_through_http_enrols_pays_in_march_and_refuses_a_monthly_amount(api: Any) -> None:
    api.clock.set(api.clock.today().replace(year=2026, month=2, day=20))
    body = {
        "name": "2026年义务兵家庭优待金",
        "kind": "regular_entitlement",
        "region": COUNTY,
        "year": 2026,
        "budget_fen": 100_000_000,
        "rules": YEARLY_RULES,
    }
    recorded = api.recorded()
    not_periodic = api.post("/funds", {**body, "kind": "hardship_aid"}, "officer", COUNTY)
    assert (not_periodic.status_code, not_periodic.json()["detail"][0]["field"]) == (422, "rules.amount")
    thirteenth = {"amount": {"kind": "yearly", "yearly_fen": 600_000, "pay_month": 13}}
    no_such_month = api.post("/funds", {**body, "rules": thirteenth}, "officer", COUNTY)
    assert no_such_month.status_code == 422, no_such_month.text
    [problem] = no_such_month.json()["detail"]
    assert (problem["field"], problem["message"]) == (
        "rules.amount.yearly.pay_month",
        "不能大于 12 (must be at most 12)",
    )
    assert api.recorded() == recorded  # neither fund was recorded
    fund = api.ok("/funds", body, "officer", COUNTY)["id"]
    for person in (PERSON, OTHER):
        api.hear(api.feed.registered(person, VILLAGE))

    recorded = api.recorded()
    refused = api.post(
        "/enrolments",
        {"fund_id": fund, "person_id": OTHER, "start_month": "2026-03", "monthly_fen": 20_000},
        "officer",
        COUNTY,
    )
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["detail"]
    assert problem["field"] == "monthly_fen"
    assert problem["message"].startswith("本资金按年发放")
    assert "(this fund pays yearly: give yearly_fen, not monthly_fen)" in problem["message"]
    assert api.recorded() == recorded  # refused: nothing recorded

    enrolment = api.ok(
        "/enrolments", {"fund_id": fund, "person_id": PERSON, "start_month": "2026-01"}, "officer", COUNTY
    )
    read = api.get(f"/enrolments/{enrolment['id']}", "officer", COUNTY)
    assert (read["monthly_fen"], read["yearly_fen"], read["pay_month"]) == (0, 600_000, 3)
    february = api.ok("/payrolls", {"fund_id": fund, "month": "2026-02"}, "officer", COUNTY)
    march = api.ok("/payrolls", {"fund_id": fund, "month": "2026-03"}, "officer", COUNTY)
    assert (february["lines"], march["lines"], march["total_fen"]) == (0, 1, 600_000)
    api.project()
    [listed] = api.get("/enrolments", "officer", COUNTY, fund_id=fund)["items"]
    assert (listed["yearly_fen"], listed["pay_month"]) == (600_000, 3)
