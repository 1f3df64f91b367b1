"""A duplicate record merged into the one kept (registry PersonUpdated, status "merged", `merged_into`): its open
applications carry on for the kept record, what its funds approved counts towards the kept record's yearly
ceiling, and a redelivered event changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistance.domain import Application, OverCeiling, PersonFile, PersonYear

OTHER_VILLAGE = "350102001002"


def merge(desk: Any, merged: str = "p-1", kept: str = "p-2") -> Any:
    return desk.feed.event("PersonUpdated", merged, status="merged", change="merged", merged_into=kept)


def test_open_applications_move_to_the_kept_record_at_their_step_once(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person("p-1")
    desk.person("p-2", region=OTHER_VILLAGE)
    approved = desk.approved(fund_id, "p-1")  # reserved in the fund for p-1
    event = merge(desk)

    assert desk.hear(event) is True
    recorded = desk.app.recorder.max_notification_id()
    assert desk.hear(event) is False  # redelivered: nothing more
    assert desk.app.recorder.max_notification_id() == recorded

    application: Application = desk.app.get_application(approved)
    assert (application.person_id, application.region, application.status) == ("p-2", OTHER_VILLAGE, "approved")
    assert application.steps[-1] | {"at": None} == {
        "step": "merged", "by": "assistance", "role": "system", "at": None, "from_person_id": "p-1", "person_id": "p-2",
    }  # fmt: skip
    fund = desk.app.fund(fund_id, desk.OFFICER)
    assert fund.reservations[str(approved)] == ("p-2", 160_000)
    assert (fund.by_person, fund.committed_fen) == ({"p-2": 160_000}, 160_000)
    assert str(approved) in desk.app.get_or_none(PersonFile.create_id("p-2")).applications

    desk.app.notify_person(approved, "电话告知", date(2026, 8, 3), desk.STATION)  # it carries on for the kept one
    assert desk.app.disburse(approved, "BANK-9", "key-9", date(2026, 8, 5), desk.OFFICER).status == "disbursed"


def test_what_the_merged_record_was_paid_counts_towards_the_kept_records_yearly_ceiling(desk: Any) -> None:
    fund_id = desk.fund()  # 1,600 yuan each, at most 3,000 a person and year
    desk.person("p-1")
    desk.person("p-2")
    paid = desk.paid(fund_id, "p-1")
    desk.hear(merge(desk))

    assert desk.app.get_application(paid).person_id == "p-1"  # a closed application stays where it was
    assert desk.app.get_or_none(PersonFile.create_id("p-2")) is None  # nothing moved to the kept record's file
    kept_year: PersonYear = desk.app.get_or_none(PersonYear.create_id("p-2", 2026))
    assert kept_year.amounts == {str(paid): ["350102", 160_000]}
    second = desk.apply(fund_id, "p-2")
    desk.app.accept(second, desk.STATION)
    recorded = desk.app.recorder.max_notification_id()
    with pytest.raises(OverCeiling, match="每人每年上限"):
        desk.app.approve(second, "符合条件", desk.COUNTY_APPROVER)
    assert desk.app.recorder.max_notification_id() == recorded  # refused: nothing recorded


def test_a_death_of_the_kept_person_suspends_the_applications_moved_to_them(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person("p-1")
    desk.person("p-2")
    waiting = desk.apply(fund_id, "p-1")
    desk.hear(merge(desk))
    desk.hear(desk.feed.died("p-2", "2026-08-02"))
    assert desk.app.get_application(waiting).status == "suspended"


def test_a_merge_into_a_record_outside_the_funds_region_follows_it_like_a_transfer(desk: Any) -> None:
    fund_id = desk.fund()
    desk.person("p-1")
    desk.person("p-2", region="350103001002")  # the next county: this county's fund does not cover it
    waiting = desk.apply(fund_id, "p-1")
    desk.hear(merge(desk))
    application: Application = desk.app.get_application(waiting)
    assert (application.person_id, application.region, application.status) == (
        "p-2",
        "350103001002",
        "transfer_pending",
    )
