"""Applications through the closed loop (申请 → 受理 → 审批 → 告知 → 拨付 → 回访), and every refusal on the way:
unit tests of the application commands on an in-memory event store."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistance.application import NotEligible
from assistance.domain import AlreadyPaid, Application, Fund, OutOfOrder, OverBudget, OverCeiling, WrongLevel
from assistance.rules import BelowThreshold, Facts, FundKind, Rules
from vet_common.domain import Conflict, Invalid, NotFound, Refused


def events_of(desk: Any) -> int:
    return desk.app.recorder.max_notification_id() or 0


def test_hardship_aid_goes_through_every_step_with_who_when_and_the_decision(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person()
    application_id = desk.apply(fund_id)
    desk.app.accept(application_id, desk.STATION)
    desk.app.approve(application_id, "困难属实", desk.COUNTY_APPROVER)
    desk.app.notify_person(application_id, "上门告知", date(2026, 8, 3), desk.STATION)
    desk.app.disburse(application_id, "BANK-0001", "key-1", date(2026, 8, 5), desk.OFFICER)
    application = desk.app.evaluate(application_id, "已用于生活开支，困难缓解", desk.STATION)

    assert application.status == "evaluated"
    assert [s["step"] for s in application.steps] == [
        "submitted",
        "accepted",
        "approved",
        "notified",
        "disbursed",
        "evaluated",
    ]
    assert application.steps[2] | {"at": None} == {
        "step": "approved",
        "by": "approver-county",
        "role": "approver",
        "at": None,
        "level": "county",
        "reason": "困难属实",
    }
    assert application.snapshot == {
        "rules_version": 1,
        "amount_rule": {"kind": "fixed", "amount_fen": 160_000},
        "yearly_ceiling_fen": 300_000,
        "inputs": {},
        "amount_fen": 160_000,
    }
    fund = desk.app.get_fund(fund_id)
    assert fund is not None
    assert (fund.committed_fen, fund.remaining_fen) == (160_000, 9_840_000)


def test_major_illness_aid_pays_80_percent_of_the_remainder_and_needs_the_city_above_its_threshold(
    desk: Any,
) -> None:
    fund_id = desk.fund(desk.EMERGENCY_RULES, kind=FundKind.emergency_aid)
    desk.person()
    facts = {"medical_cost_fen": 20_700_000, "insurance_paid_fen": 18_780_000, "other_aid_fen": 160_000}
    application_id = desk.apply(fund_id, **facts)
    accepted = desk.app.accept(application_id, desk.STATION)
    assert accepted.levels == ["county", "city"]
    assert accepted.waiting_for == "approve:county"
    desk.app.approve(application_id, "符合重大疾病应急救助条件", desk.COUNTY_APPROVER)
    with pytest.raises(WrongLevel, match="市级"):
        desk.app.approve(application_id, "again", desk.COUNTY_APPROVER)
    application = desk.app.approve(application_id, "同意", desk.CITY_APPROVER)
    assert application.status == "approved"
    assert application.snapshot is not None
    assert (application.snapshot["remainder_fen"], application.amount_fen) == (1_760_000, 1_408_000)
    assert application.snapshot["inputs"] == facts


def test_a_remainder_below_the_threshold_is_refused_on_the_field_and_nothing_is_recorded(desk: Any) -> None:
    fund_id = desk.fund(desk.EMERGENCY_RULES, kind=FundKind.emergency_aid)
    desk.person()
    before = events_of(desk)
    with pytest.raises(BelowThreshold, match="未达起付线") as refused:
        desk.apply(fund_id, medical_cost_fen=2_000_000, insurance_paid_fen=1_500_000)
    assert refused.value.field == "facts"
    with pytest.raises(Invalid, match="医疗总费用") as missing:
        desk.apply(fund_id)
    assert missing.value.field == "facts.medical_cost_fen"
    assert events_of(desk) == before


def test_steps_out_of_order_are_refused_saying_which_step_is_due(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person()
    application_id = desk.apply(fund_id)
    before = events_of(desk)
    with pytest.raises(OutOfOrder, match="待受理") as refused:
        desk.app.approve(application_id, "ok", desk.COUNTY_APPROVER)
    assert refused.value.extra["waiting_for"] == "accept"
    with pytest.raises(OutOfOrder, match="不能拨付"):
        desk.app.disburse(application_id, "B-1", "k", date(2026, 8, 5), desk.OFFICER)
    with pytest.raises(OutOfOrder):
        desk.app.evaluate(application_id, "x", desk.STATION)
    desk.app.accept(application_id, desk.STATION)
    desk.app.approve(application_id, "ok", desk.COUNTY_APPROVER)
    before = events_of(desk)
    with pytest.raises(OutOfOrder, match="不能拨付"):  # told first (告知), then paid
        desk.app.disburse(application_id, "B-1", "k", date(2026, 8, 5), desk.OFFICER)
    assert events_of(desk) == before


def test_the_wrong_level_is_refused_and_another_jurisdiction_sees_nothing(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person()
    application_id = desk.apply(fund_id)
    with pytest.raises(WrongLevel, match="受理须由乡镇（街道）办理"):
        desk.app.accept(application_id, desk.OFFICER)
    desk.app.accept(application_id, desk.STATION)
    with pytest.raises(WrongLevel, match="县级审批"):
        desk.app.approve(application_id, "ok", desk.CITY_APPROVER)
    with pytest.raises(NotFound):
        desk.app.approve(application_id, "ok", desk.principal("approver", "350103"))
    with pytest.raises(NotFound):
        desk.app.accept(application_id, desk.principal("station_staff", "350102002"))


def test_an_ineligible_person_is_refused_with_the_reasons(desk: Any) -> None:
    rules = {**desk.HARDSHIP_RULES, "eligibility": {"categories": ["disabled_soldier"], "household": "urban"}}
    fund_id = desk.fund(rules)
    desk.person()  # a rural discharged soldier
    with pytest.raises(NotEligible) as refused:
        desk.apply(fund_id)
    assert len(refused.value.extra["reasons"]) == 2
    desk.person("p-2", "350103001001")
    with pytest.raises(NotFound):  # outside the station's township: as if unknown
        desk.apply(fund_id, "p-2")


def test_approval_stops_at_the_budget_and_the_refusal_says_what_remains(desk: Any) -> None:
    fund_id = desk.fund(budget_fen=320_000)
    for person in ("p-1", "p-2"):
        desk.person(person)
        desk.approved(fund_id, person)
    desk.person("p-3")
    application_id = desk.apply(fund_id, "p-3")
    desk.app.accept(application_id, desk.STATION)
    before = events_of(desk)
    with pytest.raises(OverBudget, match="资金余额不足") as refused:
        desk.app.approve(application_id, "ok", desk.COUNTY_APPROVER)
    assert refused.value.extra["remaining_fen"] == 0
    assert events_of(desk) == before
    application = desk.app.get_application(application_id)
    assert application is not None
    assert application.status == "accepted"


def test_nobody_gets_more_than_the_yearly_ceiling(desk: Any) -> None:
    fund_id = desk.fund()  # 1,600 each, at most 3,000 a year
    desk.person()
    desk.approved(fund_id)
    second = desk.apply(fund_id)
    desk.app.accept(second, desk.STATION)
    with pytest.raises(OverCeiling, match="每人每年上限"):
        desk.app.approve(second, "ok", desk.COUNTY_APPROVER)


def test_a_payment_is_recorded_once_whatever_the_retries(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person()
    application_id = desk.paid(fund_id)
    before = events_of(desk)
    again = desk.app.disburse(application_id, "BANK-0001", "key-1", date(2026, 8, 5), desk.OFFICER)
    assert again.payment is not None
    assert again.payment["reference"] == "BANK-0001"
    assert events_of(desk) == before
    with pytest.raises(AlreadyPaid, match="不能重复拨付"):
        desk.app.disburse(application_id, "BANK-0002", "key-2", date(2026, 8, 6), desk.OFFICER)
    assert events_of(desk) == before


def test_budget_is_raised_or_cut_with_a_reason_never_below_what_is_committed(desk: Any) -> None:
    fund_id = desk.fund(budget_fen=500_000)
    desk.person()
    desk.approved(fund_id)
    fund = desk.app.change_budget(fund_id, 800_000, "追加预算", desk.OFFICER)
    assert fund.budget_fen == 800_000
    before = events_of(desk)
    with pytest.raises(Conflict, match="预算不能低于已承诺") as refused:
        desk.app.change_budget(fund_id, 100_000, "压减", desk.OFFICER)
    assert refused.value.extra["committed_fen"] == 160_000
    assert events_of(desk) == before
    assert desk.app.change_budget(fund_id, 160_000, "压减至已承诺", desk.OFFICER).remaining_fen == 0


def test_a_rules_change_is_a_new_version_and_a_decided_application_keeps_its_own(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person()
    desk.person("p-2")
    decided = desk.approved(fund_id)
    new_rules = Rules.model_validate({**desk.HARDSHIP_RULES, "amount": {"kind": "fixed", "amount_fen": 200_000}})
    assert desk.app.version_rules(fund_id, new_rules, "标准提高", desk.OFFICER) == 2
    later = desk.approved(fund_id, "p-2")
    first, second = desk.app.get_application(decided), desk.app.get_application(later)
    assert first is not None
    assert second is not None
    assert (first.snapshot or {})["rules_version"] == 1
    assert first.amount_fen == 160_000
    assert (second.snapshot or {})["rules_version"] == 2
    assert second.amount_fen == 200_000
    fund: Fund | None = desk.app.get_fund(fund_id)
    assert fund is not None
    assert fund.rules_at(1).amount.model_dump()["amount_fen"] == 160_000


def test_a_denial_at_the_city_gives_the_county_reservation_back(desk: Any) -> None:
    fund_id = desk.fund(desk.EMERGENCY_RULES, kind=FundKind.emergency_aid)
    desk.person()
    application_id = desk.apply(
        fund_id, medical_cost_fen=20_700_000, insurance_paid_fen=18_780_000, other_aid_fen=160_000
    )
    desk.app.accept(application_id, desk.STATION)
    desk.app.approve(application_id, "ok", desk.COUNTY_APPROVER)
    assert desk.app.fund(fund_id, desk.OFFICER).committed_fen == 1_408_000
    denied = desk.app.deny(application_id, "材料存疑", desk.CITY_APPROVER)
    assert denied.status == "denied"
    assert denied.waiting_for == "notify"
    assert desk.app.fund(fund_id, desk.OFFICER).committed_fen == 0
    told = desk.app.notify_person(application_id, "电话告知", date(2026, 8, 4), desk.STATION)
    assert told.waiting_for is None


def test_returned_for_what_is_missing_then_resubmitted(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person()
    application_id = desk.apply(fund_id)
    returned = desk.app.return_application(application_id, ["户口簿复印件"], "缺少材料", desk.STATION)
    assert returned.status == "returned"
    assert returned.waiting_for == "resubmit"
    again = desk.app.resubmit(application_id, Facts(), ["申请表", "户口簿复印件"], desk.STATION)
    assert again.status == "submitted"
    assert again.documents[-1] == "户口簿复印件"


def test_a_regular_entitlement_fund_takes_enrolments_not_applications(desk: Any) -> None:
    fund_id = desk.fund({"amount": {"kind": "monthly"}}, kind=FundKind.regular_entitlement)
    desk.person()
    with pytest.raises(Invalid) as refused:
        desk.apply(fund_id)
    assert refused.value.field == "fund_id"
    assert isinstance(desk.app.get_or_none(fund_id), Fund)
    assert not any(isinstance(a, Application) for a in [desk.app.get_or_none(fund_id)])


def test_a_departments_ceiling_holds_across_its_funds_and_a_released_amount_counts_no_more(desk: Any) -> None:
    desk.app.set_ceiling("350102", 2026, 300_000, "全区统筹", desk.OFFICER)
    hardship, care = desk.fund(), desk.fund(kind=FundKind.care_fund, name="关爱基金")
    desk.person()
    desk.approved(hardship)
    second = desk.apply(care)
    desk.app.accept(second, desk.STATION)
    before = events_of(desk)
    with pytest.raises(OverCeiling, match="350102 每人每年救助上限"):
        desk.app.approve(second, "ok", desk.COUNTY_APPROVER)
    assert events_of(desk) == before
    desk.app.set_ceiling("350102", 2026, 320_000, "提高上限", desk.OFFICER)
    approved = desk.app.approve(second, "ok", desk.COUNTY_APPROVER)
    assert approved.status == "approved"
    with pytest.raises(Refused):
        desk.app.set_ceiling("3501", 2026, 1, "x", desk.OFFICER)  # a county sets no ceiling for its city


def test_a_denied_or_suspended_amount_leaves_the_persons_year(desk: Any) -> None:
    from assistance.domain import PersonYear

    fund_id = desk.fund(desk.EMERGENCY_RULES, kind=FundKind.emergency_aid)
    desk.person()
    facts = {"medical_cost_fen": 20_700_000, "insurance_paid_fen": 18_780_000}
    application_id = desk.apply(fund_id, **facts)
    desk.app.accept(application_id, desk.STATION)
    desk.app.approve(application_id, "ok", desk.COUNTY_APPROVER)
    year: PersonYear = desk.app.get_or_none(PersonYear.create_id("p-1", 2026))
    assert year.total_within("35") == 1_536_000
    desk.app.deny(application_id, "不符合", desk.CITY_APPROVER)
    year = desk.app.get_or_none(PersonYear.create_id("p-1", 2026))
    assert year.total_within("35") == 0
