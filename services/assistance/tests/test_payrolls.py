"""Regular entitlements: enrolment, the monthly payroll paying every active enrolment once, stopping after death
or a transfer out (even before the read models show it), approved before it is released."""

from __future__ import annotations

from typing import Any

import pytest

from assistance.api.entitlements import yuan
from assistance.domain import OutOfOrder, Payroll
from assistance.rules import FundKind
from vet_common.domain import Conflict, Invalid


@pytest.fixture
def monthly(desk: Any) -> tuple[Any, list[Any]]:
    fund_id = desk.fund(desk.MONTHLY_RULES, kind=FundKind.regular_entitlement, name="农村退役军人生活补助")
    enrolments = []
    for number, start in enumerate(["2026-08", "2026-08", "2026-10"]):
        desk.person(f"p-{number}")
        enrolments.append(
            desk.app.enrol(
                fund_id=fund_id, person_id=f"p-{number}", monthly_fen=None, start_month=start, principal=desk.OFFICER
            )
        )
    return fund_id, enrolments


def test_a_payroll_pays_each_enrolment_due_that_month_once(desk: Any, monthly: tuple[Any, list[Any]]) -> None:
    fund_id, enrolments = monthly
    payroll, new = desk.app.compute_payroll(fund_id, "2026-09", desk.OFFICER)
    assert new is True
    assert sorted(line[0] for line in payroll.lines) == sorted(str(e) for e in enrolments[:2])  # the third: October
    assert payroll.total_fen == 40_000
    assert payroll.id == Payroll.create_id(fund_id, "2026-09")  # the claim on every line of the month

    before = desk.app.recorder.max_notification_id()
    again, new = desk.app.compute_payroll(fund_id, "2026-09", desk.OFFICER)
    assert (again.id, new) == (payroll.id, False)
    assert desk.app.recorder.max_notification_id() == before


def test_the_payroll_is_approved_before_it_is_released(desk: Any, monthly: tuple[Any, list[Any]]) -> None:
    fund_id, _ = monthly
    payroll, _ = desk.app.compute_payroll(fund_id, "2026-09", desk.OFFICER)
    with pytest.raises(OutOfOrder, match="须先审批"):
        desk.app.release_payroll(payroll.id, desk.OFFICER)
    desk.app.approve_payroll(payroll.id, desk.COUNTY_APPROVER)
    assert desk.app.release_payroll(payroll.id, desk.OFFICER).status == "released"
    with pytest.raises(OutOfOrder):
        desk.app.approve_payroll(payroll.id, desk.COUNTY_APPROVER)


def test_payments_stop_after_the_month_of_death(desk: Any, monthly: tuple[Any, list[Any]]) -> None:
    fund_id, enrolments = monthly
    desk.hear(desk.feed.died("p-0", "2026-09-10"))  # the read models need not show it yet: the roll does
    september, _ = desk.app.compute_payroll(fund_id, "2026-09", desk.OFFICER)
    october, _ = desk.app.compute_payroll(fund_id, "2026-10", desk.OFFICER)
    assert str(enrolments[0]) in [line[0] for line in september.lines]  # paid for the month of death
    assert sorted(line[0] for line in october.lines) == sorted([str(enrolments[1]), str(enrolments[2])])


def test_a_death_after_the_payroll_was_computed_takes_the_line_out_before_release(
    desk: Any, monthly: tuple[Any, list[Any]]
) -> None:
    fund_id, enrolments = monthly
    desk.clock.set(desk.clock.today().replace(month=9, day=25))
    october, _ = desk.app.compute_payroll(fund_id, "2026-10", desk.OFFICER)
    desk.hear(desk.feed.died("p-1", "2026-09-28"))
    october = desk.app.payroll(october.id, desk.OFFICER)
    assert str(enrolments[1]) in october.voided
    assert sorted(line[1] for line in october.payable) == ["p-0", "p-2"]
    assert october.total_fen == 40_000


def test_enrolment_needs_a_regular_entitlement_fund_once_per_person_and_an_eligible_person(
    desk: Any, monthly: tuple[Any, list[Any]]
) -> None:
    fund_id, _ = monthly
    with pytest.raises(Conflict, match="已在本资金登记"):
        desk.app.enrol(
            fund_id=fund_id, person_id="p-0", monthly_fen=None, start_month="2026-09", principal=desk.OFFICER
        )
    desk.person("urban", household="urban")
    with pytest.raises(Conflict, match="户籍"):
        desk.app.enrol(
            fund_id=fund_id, person_id="urban", monthly_fen=None, start_month="2026-09", principal=desk.OFFICER
        )
    other = desk.fund()
    with pytest.raises(Invalid):
        desk.app.enrol(fund_id=other, person_id="p-0", monthly_fen=None, start_month="2026-09", principal=desk.OFFICER)


def test_bank_amounts_are_yuan_with_two_decimals() -> None:
    assert [yuan(20_000), yuan(1_408_000), yuan(5)] == ["200.00", "14080.00", "0.05"]
