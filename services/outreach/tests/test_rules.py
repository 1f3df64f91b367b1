"""The contact rules as pure functions: which interval applies to a person, and when they fall due."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.domain.rules import (
    DEFAULT_TABLE,
    Interval,
    RuleEntry,
    RuleTable,
    due_dates,
    ensure_changes_within,
    validate_entries,
)
from vet_common.auth import Principal, Role
from vet_common.domain import Invalid, Refused

TABLE = RuleTable(
    version=3,
    entries=(
        RuleEntry("", None, Interval(90, 365)),
        RuleEntry("", "martyr_survivor", Interval(60, 365)),
        RuleEntry("3311", None, Interval(120, 365)),  # 丽水 relaxes the default
        RuleEntry("3311", "serious_illness", Interval(30, 90)),
    ),
    severe_disability=Interval(30, 180),
)


@pytest.mark.parametrize(
    ("region", "reasons", "level", "expected"),
    [
        ("350102001001", ["living_in_difficulty"], None, Interval(90, 365)),  # the default
        ("350102001001", [], None, Interval(90, 365)),
        ("350102001001", ["martyr_survivor"], None, Interval(60, 365)),  # the reason's line
        ("331102001001", ["living_in_difficulty"], None, Interval(120, 365)),  # the region's line is more specific
        ("331102001001", ["martyr_survivor"], None, Interval(120, 365)),  # ... than a reason's line everywhere
        ("331102001001", ["serious_illness"], None, Interval(30, 90)),
        ("331102001001", ["martyr_survivor", "serious_illness"], None, Interval(30, 90)),  # the tightest reason
        ("350102001001", ["disabled"], 4, Interval(30, 180)),  # levels 1-6 more often
        ("350102001001", ["disabled"], 7, Interval(90, 365)),
        ("331102001001", ["serious_illness"], 1, Interval(30, 90)),  # tighter already: stays
    ],
)
def test_the_interval_for_a_person(region: str, reasons: list[str], level: int | None, expected: Interval) -> None:
    assert TABLE.interval_for(region, reasons, level) == expected


def test_the_defaults_are_a_quarter_and_a_year_and_a_closer_eye_on_levels_1_to_6() -> None:
    assert DEFAULT_TABLE.version == 0
    assert DEFAULT_TABLE.interval_for("350102001001", ["serious_illness"], None) == Interval(90, 365)
    assert DEFAULT_TABLE.interval_for("350102001001", ["disabled"], 6) == Interval(30, 180)


@pytest.mark.parametrize(
    ("since", "last_contact", "last_visit", "contact_due", "visit_due"),
    [
        (date(2026, 1, 1), None, None, date(2026, 4, 1), date(2027, 1, 1)),  # never contacted: from designation
        (date(2026, 1, 1), date(2026, 3, 1), None, date(2026, 5, 30), date(2027, 1, 1)),  # a call is no visit
        (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 5, 30), date(2027, 3, 1)),  # a visit counts
        (date(2026, 6, 1), date(2026, 3, 1), None, date(2026, 8, 30), date(2027, 6, 1)),  # designated after a call
    ],
)
def test_due_dates(
    since: date, last_contact: date | None, last_visit: date | None, contact_due: date, visit_due: date
) -> None:
    due = due_dates(Interval(90, 365), since, last_contact, last_visit)
    assert (due.contact, due.home_visit) == (contact_due, visit_due)
    assert due.next == min(contact_due, visit_due)


def test_two_lines_for_the_same_region_and_reason_are_refused() -> None:
    with pytest.raises(Invalid) as refused:
        validate_entries([RuleEntry("33", None, Interval(90, 365)), RuleEntry("33", None, Interval(60, 365))])
    assert refused.value.field == "entries"
    assert "出现了两次" in refused.value.message


def test_a_home_visit_interval_shorter_than_the_contact_interval_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        validate_entries([RuleEntry("", None, Interval(90, 30))])
    assert "home-visit interval cannot be shorter" in refused.value.message


def officer_of(region: str) -> Principal:
    return Principal(sub="o", name="何", roles=frozenset({Role.officer}), region=region)


KEPT = list(TABLE.entries)
LISHUI_CHANGED = [*KEPT[:2], RuleEntry("3311", None, Interval(90, 365)), KEPT[3]]
LIANDU_ADDED = [*KEPT, RuleEntry("331102", None, Interval(60, 365))]
EVERYWHERE_CHANGED = [RuleEntry("", None, Interval(60, 365)), *KEPT[1:]]


@pytest.mark.parametrize(
    ("region", "entries", "severe", "allowed"),
    [
        ("331102", KEPT, Interval(30, 180), True),  # nothing changed
        ("331102", LIANDU_ADDED, Interval(30, 180), True),  # its own line
        ("331102", LISHUI_CHANGED, Interval(30, 180), False),  # the city's line
        ("331102", KEPT[:3], Interval(30, 180), False),  # a line of the city removed
        ("3311", LISHUI_CHANGED, Interval(30, 180), True),
        ("3311", LIANDU_ADDED, Interval(30, 180), True),  # a county within it
        ("3311", EVERYWHERE_CHANGED, Interval(30, 180), False),  # everywhere's line: the province's
        ("3311", KEPT, None, False),  # the disability setting: the province's
        ("33", EVERYWHERE_CHANGED, None, True),
    ],
)
def test_an_officer_changes_only_the_lines_of_their_jurisdiction(
    region: str, entries: list[RuleEntry], severe: Interval | None, allowed: bool
) -> None:
    if allowed:
        ensure_changes_within(officer_of(region), TABLE, entries, severe)
    else:
        with pytest.raises(Refused, match="本辖区"):
            ensure_changes_within(officer_of(region), TABLE, entries, severe)
