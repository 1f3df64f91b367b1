"""Policy alerts (政策预警) with a fixed clock: who is told what, when, and once per person and occasion."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from registry.alerts import (
    VETERAN_CATEGORIES,
    Alert,
    AlertKind,
    AlertRules,
    AlertSubject,
    Status,
    alerts_for,
    anniversary,
    day_of_year,
    occasion_id,
)

TODAY = date(2026, 6, 1)


def born_turning(age: int, in_days: int, today: date = TODAY) -> date:
    """The birth date of someone who turns ``age`` ``in_days`` days after ``today`` (never 29 February here)."""
    birthday = today + timedelta(days=in_days)
    return birthday.replace(year=birthday.year - age)


def subject(**changes: Any) -> AlertSubject:
    """An active urban discharged soldier aged 56, confirmed this year, no disability certificate: no alerts."""
    base = AlertSubject(
        person_id="7d0c9f0e-0000-4000-8000-000000000001",
        region="350102001001",
        birth_date=date(1970, 1, 10),
        household="urban",
        categories=frozenset({"discharged_soldier"}),
        status="active",
        confirmed_years=frozenset({2025, 2026}),
        preferential_card="issued",
        disability_certificate="none",
    )
    return dataclasses.replace(base, **changes)


def of_kind(alerts: list[Alert], kind: AlertKind) -> list[Alert]:
    return [alert for alert in alerts if alert.kind == kind]


def test_the_baseline_subject_gets_no_alerts() -> None:
    assert alerts_for(subject(), TODAY) == []


# Rural-register veterans turning 60 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("household", "categories", "in_days", "alerted"),
    [
        pytest.param("rural", {"discharged_soldier"}, 80, True, id="rural veteran in 80 days"),
        pytest.param("rural", {"discharged_soldier"}, 100, False, id="rural veteran in 100 days"),
        pytest.param("rural", {"discharged_soldier"}, 90, True, id="exactly the lead time"),
        pytest.param("rural", {"discharged_soldier"}, 91, False, id="a day beyond the lead time"),
        pytest.param("rural", {"discharged_soldier"}, 0, True, id="birthday today"),
        pytest.param("rural", {"discharged_soldier"}, -1, False, id="birthday yesterday"),
        pytest.param("urban", {"discharged_soldier"}, 80, False, id="urban veteran"),
        pytest.param(None, {"discharged_soldier"}, 80, False, id="household register unknown"),
        pytest.param("rural", {"martyr_survivor"}, 80, False, id="martyr's survivor"),
        pytest.param("rural", {"illness_death_survivor"}, 80, False, id="survivor of a soldier died of illness"),
        pytest.param("rural", {"active_duty_family"}, 80, False, id="active-duty family"),
        pytest.param("rural", {"civilian_retiree"}, 80, False, id="civilian retiree without military status"),
        pytest.param("rural", {"disabled_militia"}, 80, False, id="disabled militia"),
        pytest.param("rural", set(), 80, False, id="no category"),
        pytest.param("rural", {"martyr_survivor", "discharged_soldier"}, 80, True, id="veteran and survivor"),
    ],
)
def test_rural_veteran_turning_60(household: str | None, categories: set[str], in_days: int, alerted: bool) -> None:
    person = subject(household=household, categories=frozenset(categories), birth_date=born_turning(60, in_days))
    alerts = of_kind(alerts_for(person, TODAY), AlertKind.rural_veteran_turning_60)
    assert len(alerts) == (1 if alerted else 0)


@pytest.mark.parametrize("category", sorted(VETERAN_CATEGORIES))
def test_every_veteran_category_counts_for_the_rural_subsidy(category: str) -> None:
    person = subject(household="rural", categories=frozenset({category}), birth_date=born_turning(60, 30))
    assert [alert.kind for alert in alerts_for(person, TODAY)] == [AlertKind.rural_veteran_turning_60]


def test_rural_subsidy_alert_says_when_and_how_much() -> None:
    person = subject(household="rural", birth_date=date(1966, 8, 20))  # 60 on 2026-08-20, 80 days after TODAY
    (alert,) = alerts_for(person, TODAY)
    assert alert == Alert(
        person_id=person.person_id,
        region="350102001001",
        kind=AlertKind.rural_veteran_turning_60,
        occasion="2026-08-20",
        due_on=date(2026, 8, 20),
        message="该人员将于2026年8月20日年满60周岁，可申领农村退役军人生活补助（每月200.00元），"
        "请提前告知本人办理流程和所需材料",
        details={"age": 60, "monthly_fen": 20000},
    )


def test_rural_subsidy_rules_are_settings() -> None:
    person = subject(household="rural", birth_date=born_turning(60, 100))
    rules = AlertRules(lead_days=120, rural_subsidy_monthly_fen=25050)
    (alert,) = alerts_for(person, TODAY, rules)
    assert "每月250.50元" in alert.message
    assert alert.details["monthly_fen"] == 25050
    survivor = subject(household="rural", categories=frozenset({"martyr_survivor"}), birth_date=born_turning(60, 30))
    assert alerts_for(survivor, TODAY, AlertRules(veteran_categories=frozenset({"martyr_survivor"})))


# Turning 80 --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("household", "categories"),
    [
        pytest.param("urban", {"discharged_soldier"}, id="urban veteran"),
        pytest.param("rural", {"discharged_soldier"}, id="rural veteran"),
        pytest.param("urban", {"martyr_survivor"}, id="martyr's survivor"),
        pytest.param("rural", {"active_duty_family"}, id="active-duty family"),
        pytest.param(None, {"civilian_retiree"}, id="household unknown"),
        pytest.param("urban", set(), id="no category"),
    ],
)
@pytest.mark.parametrize(("in_days", "alerted"), [(0, True), (30, True), (90, True), (91, False), (-1, False)])
def test_turning_80_applies_to_everyone_active(
    household: str | None, categories: set[str], in_days: int, alerted: bool
) -> None:
    person = subject(household=household, categories=frozenset(categories), birth_date=born_turning(80, in_days))
    alerts = alerts_for(person, TODAY)
    assert [alert.kind for alert in alerts] == ([AlertKind.turning_80] if alerted else [])
    if alerted:
        birthday = TODAY + timedelta(days=in_days)
        assert alerts[0].due_on == birthday
        assert alerts[0].occasion == birthday.isoformat()
        assert "年满80周岁" in alerts[0].message
        assert "重点联系对象" in alerts[0].message


# Annual confirmation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "confirmed", "rules", "expected"),
    [
        pytest.param(TODAY, {2025}, AlertRules(), None, id="not yet within the lead time of 31 December"),
        pytest.param(date(2026, 10, 1), {2025}, AlertRules(), None, id="91 days before 31 December"),
        pytest.param(date(2026, 10, 2), {2025}, AlertRules(), (date(2026, 12, 31), False), id="90 days before"),
        pytest.param(date(2026, 12, 31), set(), AlertRules(), (date(2026, 12, 31), False), id="on the due day"),
        pytest.param(date(2026, 11, 15), {2026}, AlertRules(), None, id="confirmed this year"),
        pytest.param(date(2026, 11, 15), {2025, 2027}, AlertRules(), (date(2026, 12, 31), False), id="other years"),
        pytest.param(
            TODAY, {2025}, AlertRules(confirmation_due=(3, 31)), (date(2026, 3, 31), True), id="overdue this year"
        ),
        pytest.param(TODAY, {2026}, AlertRules(confirmation_due=(3, 31)), None, id="confirmed late"),
        pytest.param(
            date(2026, 1, 5), {2025}, AlertRules(confirmation_due=(3, 31)), (date(2026, 3, 31), False), id="early"
        ),
    ],
)
def test_annual_confirmation_due(
    today: date, confirmed: set[int], rules: AlertRules, expected: tuple[date, bool] | None
) -> None:
    alerts = alerts_for(subject(confirmed_years=frozenset(confirmed)), today, rules)
    if expected is None:
        assert alerts == []
        return
    due_on, overdue = expected
    (alert,) = alerts
    assert alert.kind == AlertKind.annual_confirmation_due
    assert alert.occasion == str(today.year)
    assert alert.due_on == due_on
    assert alert.details == {"year": today.year, "overdue": overdue}
    assert ("已逾期" in alert.message) is overdue
    assert f"{today.year}年度确认" in alert.message


# Certificate cut-off ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("certificate", "today", "alerted"),
    [
        pytest.param("old", TODAY, True, id="old, 61 days before 1 August"),
        pytest.param("old", date(2026, 5, 3), True, id="old, 90 days before"),
        pytest.param("old", date(2026, 5, 2), False, id="old, 91 days before"),
        pytest.param("old", date(2026, 7, 31), True, id="old, the last day it is valid"),
        pytest.param("old", date(2026, 8, 1), False, id="old, on the cut-off"),
        pytest.param("old", date(2026, 9, 15), False, id="old, after the cut-off"),
        pytest.param("new", TODAY, False, id="new-style certificate"),
        pytest.param("none", TODAY, False, id="no disability certificate"),
    ],
)
def test_certificate_cutoff(certificate: str, today: date, alerted: bool) -> None:
    person = subject(categories=frozenset({"disabled_soldier"}), disability_certificate=certificate)
    alerts = alerts_for(person, today)
    assert [alert.kind for alert in alerts] == ([AlertKind.certificate_cutoff] if alerted else [])
    if alerted:
        assert alerts[0].due_on == date(2026, 8, 1)
        assert alerts[0].occasion == "2026"
        assert alerts[0].message == "该人员持旧式残疾军人证，旧证自2026年8月1日起作废，请尽快换发新式证件"


def test_certificate_cutoff_early_in_the_year_is_announced_the_year_before() -> None:
    person = subject(disability_certificate="old")
    rules = AlertRules(certificate_cutoff=(1, 15))
    (alert,) = alerts_for(person, date(2026, 12, 1), rules)
    assert (alert.due_on, alert.occasion) == (date(2027, 1, 15), "2027")
    assert alerts_for(person, date(2026, 1, 15), rules) == []


# Status -------------------------------------------------------------------------------------------------------

EVERY_ALERT = subject(  # rural veteran turning 60, unconfirmed, old certificate, confirmation due 30 June
    household="rural",
    birth_date=born_turning(60, 45),
    confirmed_years=frozenset(),
    disability_certificate="old",
)
EVERY_ALERT_RULES = AlertRules(confirmation_due=(6, 30))


def test_an_active_person_can_get_several_alerts_earliest_first() -> None:
    alerts = alerts_for(EVERY_ALERT, TODAY, EVERY_ALERT_RULES)
    assert [alert.kind for alert in alerts] == [
        AlertKind.annual_confirmation_due,  # 2026-06-30
        AlertKind.rural_veteran_turning_60,  # 2026-07-16
        AlertKind.certificate_cutoff,  # 2026-08-01
    ]
    assert [alert.due_on for alert in alerts] == sorted(alert.due_on for alert in alerts)
    senior = dataclasses.replace(EVERY_ALERT, birth_date=born_turning(80, 10))
    assert AlertKind.turning_80 in {alert.kind for alert in alerts_for(senior, TODAY, EVERY_ALERT_RULES)}


@pytest.mark.parametrize("status", ["deceased", "transferred_out"])
@pytest.mark.parametrize(
    "person",
    [EVERY_ALERT, dataclasses.replace(EVERY_ALERT, birth_date=born_turning(80, 10))],
    ids=["turning 60 with everything due", "turning 80 with everything due"],
)
def test_nobody_deceased_or_transferred_out_gets_alerts(status: Status, person: AlertSubject) -> None:
    assert alerts_for(person, TODAY, EVERY_ALERT_RULES)  # the same person while active does
    assert alerts_for(dataclasses.replace(person, status=status), TODAY, EVERY_ALERT_RULES) == []


# 29 February --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "years", "expected"),
    [
        pytest.param(date(1944, 2, 29), 81, date(2025, 2, 28), id="29 February, common year: 28 February"),
        pytest.param(date(1964, 2, 29), 60, date(2024, 2, 29), id="29 February, leap year"),
        pytest.param(date(1966, 3, 1), 60, date(2026, 3, 1), id="1 March"),
        pytest.param(date(1966, 2, 28), 60, date(2026, 2, 28), id="28 February"),
        pytest.param(date(1966, 12, 31), 60, date(2026, 12, 31), id="31 December"),
    ],
)
def test_anniversary(birth_date: date, years: int, expected: date) -> None:
    assert anniversary(birth_date, years) == expected


def test_born_on_29_february_is_told_for_28_february_in_a_common_year() -> None:
    person = subject(birth_date=date(1944, 2, 29))
    rules = AlertRules(senior_age=81)  # 60 and 80 years after a leap day are leap days again until 2100
    (alert,) = alerts_for(person, date(2025, 2, 1), rules)
    assert (alert.kind, alert.due_on, alert.occasion) == (AlertKind.turning_80, date(2025, 2, 28), "2025-02-28")
    assert alert.message.startswith("该人员将于2025年2月28日年满81周岁")
    assert alerts_for(person, date(2025, 3, 1), rules) == []


def test_day_of_year_moves_29_february_to_28_in_a_common_year() -> None:
    assert day_of_year(2026, 2, 29) == date(2026, 2, 28)
    assert day_of_year(2028, 2, 29) == date(2028, 2, 29)
    person = subject(confirmed_years=frozenset())
    (alert,) = alerts_for(person, date(2026, 2, 1), AlertRules(confirmation_due=(2, 29)))
    assert alert.due_on == date(2026, 2, 28)


@pytest.mark.parametrize(
    "changes",
    [{"lead_days": -1}, {"confirmation_due": (2, 30)}, {"certificate_cutoff": (13, 1)}, {"senior_age": 0}],
)
def test_rules_refuse_impossible_settings(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(changes))):
        AlertRules(**changes)


# Once per person and occasion ---------------------------------------------------------------------------------


def test_occasion_id_is_stable_from_one_day_to_the_next() -> None:
    person = subject(household="rural", birth_date=born_turning(60, 60))
    (first,) = alerts_for(person, TODAY)
    (later,) = alerts_for(person, TODAY + timedelta(days=30))
    assert first.occasion == later.occasion
    assert occasion_id(first) == occasion_id(later)
    # Pinned: the id is an aggregate id in stored events, so its derivation must never change.
    assert first.occasion == "2026-07-31"
    assert occasion_id(first) == uuid.UUID("0cc14e1e-5201-5213-819c-78f217437fbe")


def test_occasion_ids_are_distinct_per_person_kind_and_occasion() -> None:
    base = alerts_for(EVERY_ALERT, TODAY, EVERY_ALERT_RULES)
    other_person = alerts_for(dataclasses.replace(EVERY_ALERT, person_id="another"), TODAY, EVERY_ALERT_RULES)
    next_year = alerts_for(EVERY_ALERT, date(2027, 6, 1), EVERY_ALERT_RULES)  # confirmation and cut-off of 2027
    alerts = base + other_person + next_year
    assert len(alerts) == 3 + 3 + 2
    assert len({occasion_id(alert) for alert in alerts}) == len(alerts)
    # Annual confirmation and certificate cut-off share the occasion "2026"; the kind keeps them apart.
    same_year = [alert for alert in base if alert.occasion == "2026"]
    assert len(same_year) == 2
    assert occasion_id(same_year[0]) != occasion_id(same_year[1])


def test_occasion_id_matches_the_alert_aggregate_id() -> None:
    from registry.domain import AlertOccasion  # imported here: the domain module is not this module's concern

    for alert in alerts_for(EVERY_ALERT, TODAY, EVERY_ALERT_RULES):
        assert occasion_id(alert) == AlertOccasion.create_id(alert.person_id, alert.kind, alert.occasion)


def test_veteran_categories_are_category_codes() -> None:
    from registry.domain import Category

    assert {str(category) for category in Category} >= VETERAN_CATEGORIES
    assert not {"martyr_survivor", "duty_death_survivor", "illness_death_survivor"} & VETERAN_CATEGORIES
    assert "active_duty_family" not in VETERAN_CATEGORIES


def test_alerts_are_hashable_and_details_are_json() -> None:
    for alert in alerts_for(EVERY_ALERT, TODAY, EVERY_ALERT_RULES):
        hash(alert)
        json.dumps(alert.details)
        assert alert.region == EVERY_ALERT.region
        assert alert.message.startswith("该人员")
