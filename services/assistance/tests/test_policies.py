"""Reactions to the registry's events: a death stops payments and open applications, a transfer moves them, an
eligibility alert proposes an enrolment; each once, however often the event is delivered."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistance.domain import Application, Enrolment, EnrolmentRoll, OutOfOrder
from assistance.rules import FundKind
from vet_common.domain import Conflict, NotFound
from vet_common.people import PersonDeceased


def test_a_death_suspends_open_applications_gives_back_their_reservation_and_refuses_payment(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person()
    approved = desk.approved(fund_id)
    waiting = desk.apply(fund_id)
    died = desk.feed.died("p-1", "2026-08-02")

    assert desk.hear(died) is True
    before = desk.app.recorder.max_notification_id()
    assert desk.hear(died) is False  # redelivered: nothing more
    assert desk.app.recorder.max_notification_id() == before

    for application_id in (approved, waiting):
        application: Application = desk.app.get_application(application_id)
        assert application.status == "suspended"
        assert application.steps[-1]["died_on"] == "2026-08-02"
    assert desk.app.fund(fund_id, desk.OFFICER).committed_fen == 0
    with pytest.raises(Conflict, match="去世"):
        desk.app.disburse(approved, "BANK-1", "k1", date(2026, 8, 5), desk.OFFICER)
    with pytest.raises(PersonDeceased):
        desk.apply(fund_id)


def test_a_death_leaves_a_paid_application_as_it_was(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person()
    paid = desk.paid(fund_id)
    desk.hear(desk.feed.died("p-1"))
    assert desk.app.get_application(paid).status == "disbursed"
    assert desk.app.fund(fund_id, desk.OFFICER).disbursed_fen == 160_000


def test_a_transfer_moves_open_applications_to_the_receiving_countys_fund_of_the_same_kind(desk: Any) -> None:
    here = desk.fund()
    there = desk.fund(region="350103")
    desk.person()
    application_id = desk.approved(here)

    desk.hear(desk.feed.transferred("p-1", "350103001002"))

    application: Application = desk.app.get_application(application_id)
    assert (application.fund_id, application.region, application.status) == (str(there), "350103001002", "submitted")
    assert application.waiting_for == "accept"
    assert desk.app.fund(here, desk.OFFICER).committed_fen == 0  # the reservation went back


def test_with_no_such_fund_there_the_application_waits_for_the_receiving_county(desk: Any) -> None:
    here = desk.fund()
    desk.person()
    application_id = desk.apply(here)
    desk.hear(desk.feed.transferred("p-1", "350104005001"))
    application: Application = desk.app.get_application(application_id)
    assert (application.status, application.waiting_for, application.region) == (
        "transfer_pending",
        "transfer",
        "350104005001",
    )


def test_the_receiving_county_assigns_a_fund_to_a_waiting_application(desk: Any) -> None:
    here = desk.fund()
    desk.person()
    application_id = desk.apply(here)
    desk.hear(desk.feed.transferred("p-1", "350104005001"))
    receiving = desk.principal("officer", "350104")
    wrong = desk.fund(region="350103")
    with pytest.raises(NotFound):  # a fund of another county is none of theirs
        desk.app.assign_fund(application_id, wrong, receiving)
    theirs = desk.fund(region="350104", kind=FundKind.care_fund, name="关爱基金")
    application = desk.app.assign_fund(application_id, theirs, receiving)
    assert (application.fund_id, application.status) == (str(theirs), "submitted")
    with pytest.raises(OutOfOrder):
        desk.app.assign_fund(application_id, theirs, receiving)


def test_a_move_within_the_funds_region_changes_nothing(desk: Any) -> None:
    here = desk.fund()
    desk.person()
    application_id = desk.approved(here)
    desk.hear(desk.feed.transferred("p-1", "350102002001"))
    assert desk.app.get_application(application_id).status == "approved"


def regular_fund(desk: Any, region: str = "350102") -> Any:
    return desk.fund(desk.MONTHLY_RULES, kind=FundKind.regular_entitlement, region=region, name="农村退役军人生活补助")


def test_an_alert_of_a_rural_veteran_turning_60_proposes_an_enrolment_once(desk: Any) -> None:
    fund_id = regular_fund(desk)
    desk.person()
    alert = desk.feed.event(
        "EligibilityAlertRaised", "p-1", kind="rural_veteran_turning_60", occasion="2026-09-15", due_on="2026-09-15"
    )
    assert desk.hear(alert) is True
    assert desk.hear(alert) is False
    again = desk.feed.event(
        "EligibilityAlertRaised", "p-1", kind="rural_veteran_turning_60", occasion="2026-09-15", due_on="2026-09-15"
    )
    before = desk.app.recorder.max_notification_id()
    desk.hear(again)  # raised again at another position: the enrolment exists already
    assert desk.app.recorder.max_notification_id() == before
    enrolment: Enrolment = desk.app.get_or_none(Enrolment.create_id(fund_id, "p-1"))
    assert (enrolment.status, enrolment.start_month, enrolment.monthly_fen) == ("proposed", "2026-10", 20_000)


def test_a_death_ends_enrolments_with_the_month_of_death_and_in_the_roll_payrolls_pay_from(desk: Any) -> None:
    fund_id = regular_fund(desk)
    desk.person()
    enrolment_id = desk.app.enrol(
        fund_id=fund_id, person_id="p-1", monthly_fen=None, start_month="2026-08", principal=desk.OFFICER
    )
    desk.hear(desk.feed.died("p-1", "2026-09-20"))
    enrolment: Enrolment = desk.app.get_or_none(enrolment_id)
    assert (enrolment.status, enrolment.last_month, enrolment.end_reason) == ("ended", "2026-09", "died")
    roll: EnrolmentRoll = desk.app.get_or_none(EnrolmentRoll.id_for(enrolment))
    assert roll.entries[str(enrolment_id)][3:5] == ["2026-08", "2026-09"]  # first and last month paid
    assert [line[0] for line in roll.payable_in("2026-09")] == [str(enrolment_id)]
    assert roll.payable_in("2026-10") == []


def test_a_transfer_out_ends_the_enrolment_and_proposes_one_in_the_receiving_fund(desk: Any) -> None:
    here, there = regular_fund(desk), regular_fund(desk, "350103")
    desk.person()
    enrolment_id = desk.app.enrol(
        fund_id=here, person_id="p-1", monthly_fen=None, start_month="2026-08", principal=desk.OFFICER
    )
    desk.hear(desk.feed.transferred("p-1", "350103001002"))  # occurred 2026-08-01 (the feed's time)
    ended: Enrolment = desk.app.get_or_none(enrolment_id)
    assert (ended.status, ended.last_month, ended.end_reason) == ("ended", "2026-08", "transferred")
    proposed: Enrolment = desk.app.get_or_none(Enrolment.create_id(there, "p-1"))
    assert (proposed.status, proposed.start_month, proposed.region) == ("proposed", "2026-09", "350103001002")


def test_a_merged_duplicate_record_stops_being_paid_after_the_month_of_the_merge_once(desk: Any) -> None:
    fund_id = regular_fund(desk)
    desk.person()
    enrolment_id = desk.app.enrol(
        fund_id=fund_id, person_id="p-1", monthly_fen=None, start_month="2026-08", principal=desk.OFFICER
    )
    merged = desk.feed.event("PersonUpdated", "p-1", status="merged", change="merged", merged_into="p-2")
    assert desk.hear(merged) is True
    assert desk.hear(merged) is False  # redelivered: nothing more
    ended: Enrolment = desk.app.get_or_none(enrolment_id)
    assert (ended.status, ended.last_month, ended.end_reason) == ("ended", "2026-08", "merged")
    september, _ = desk.app.compute_payroll(fund_id, "2026-09", desk.OFFICER)
    assert september.lines == []


def test_other_changes_of_a_record_leave_its_enrolments_alone(desk: Any) -> None:
    fund_id = regular_fund(desk)
    desk.person()
    enrolment_id = desk.app.enrol(
        fund_id=fund_id, person_id="p-1", monthly_fen=None, start_month="2026-08", principal=desk.OFFICER
    )
    desk.hear(desk.feed.event("PersonUpdated", "p-1", change="profile"))
    assert desk.app.get_or_none(enrolment_id).status == "active"
