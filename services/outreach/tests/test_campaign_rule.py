"""The target rule: any of its groups; within a group every dimension it names, any value within a dimension."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from outreach.domain.campaigns import Deadlines, TargetGroup, TargetRule
from vet_common.domain import Invalid

AUG_1 = date(2022, 8, 1)
LISHUI = TargetRule(
    (
        TargetGroup(code="unemployed", key_contact_reasons=("unemployed",)),
        TargetGroup(code="in_difficulty", key_contact_reasons=("living_in_difficulty",)),
        TargetGroup(code="widowed_or_alone", key_contact_reasons=("widowed_orphaned_alone",)),
        TargetGroup(code="aged_80_plus", min_age=80, age_on=AUG_1),
    )
)


def person(**facts: Any) -> dict[str, Any]:
    return {
        "categories": ["discharged_soldier"],
        "key_contact_reasons": [],
        "birth_year": 1960,
        "household": "rural",
        "disability_level": None,
        **facts,
    }


@pytest.mark.parametrize(
    ("facts", "groups"),
    [
        ({}, []),
        ({"key_contact_reasons": ["unemployed"]}, ["unemployed"]),
        ({"key_contact_reasons": ["meritorious"]}, []),
        ({"birth_year": 1942}, ["aged_80_plus"]),  # 80 in 2022
        ({"birth_year": 1943}, []),  # 79 in 2022
        (
            {"birth_year": 1940, "key_contact_reasons": ["widowed_orphaned_alone", "living_in_difficulty"]},
            ["in_difficulty", "widowed_or_alone", "aged_80_plus"],
        ),
    ],
)
def test_the_lishui_rule_is_the_union_of_its_four_groups(facts: dict[str, Any], groups: list[str]) -> None:
    assert LISHUI.groups_of(person(**facts)) == groups


def test_within_a_group_every_dimension_must_match_and_any_value_of_one() -> None:
    group = TargetGroup(code="rural_disabled", disability_levels=(1, 2, 3), households=("rural",))
    assert group.matches(person(disability_level=2))
    assert not group.matches(person(disability_level=2, household="urban"))
    assert not group.matches(person(disability_level=5))
    assert not group.matches(person())


def test_the_query_asks_the_server_for_the_same_people() -> None:
    assert LISHUI.query()["$or"][3] == {"birth_year": {"$lte": 1942}}
    assert TargetGroup(code="survivors", categories=("martyr_survivor",), households=("urban",)).query() == {
        "categories": {"$in": ["martyr_survivor"]},
        "household": {"$in": ["urban"]},
    }


def test_a_rule_survives_its_round_trip_through_an_event() -> None:
    assert TargetRule.from_dict(LISHUI.to_dict()) == LISHUI


@pytest.mark.parametrize(
    ("build", "field", "text"),
    [
        (lambda: TargetRule(()), "targets.groups", "至少需要一个"),
        (lambda: TargetGroup(code="nobody"), "targets.groups[nobody]", "没有任何条件"),
        (lambda: TargetGroup(code="x", categories=("pirate",)), "targets.groups[x].categories", "pirate"),
        (lambda: TargetGroup(code="x", key_contact_reasons=("rich",)), "targets.groups[x].key_contact_reasons", "rich"),
        (lambda: TargetGroup(code="x", disability_levels=(11,)), "targets.groups[x].disability_levels", "11"),
        (lambda: TargetGroup(code="x", min_age=80), "targets.groups[x].age_on", "年龄条件"),
        (lambda: TargetGroup(code="x y", households=("rural",)), "targets.groups.code", "对象组代码"),
        (
            lambda: TargetRule((TargetGroup(code="a", households=("rural",)),) * 2),
            "targets.groups",
            "不能重复",
        ),
        (lambda: Deadlines(plan=date(2022, 7, 23), visits=date(2022, 7, 1), report=AUG_1), "deadlines.visits", ""),
        (lambda: Deadlines(plan=date(2022, 7, 23), visits=AUG_1, report=date(2022, 7, 31)), "deadlines.report", ""),
    ],
)
def test_a_rule_or_deadlines_that_cannot_be_right_are_refused_on_their_field(build: Any, field: str, text: str) -> None:
    with pytest.raises(Invalid) as refused:
        build()
    assert refused.value.field == field
    assert text in refused.value.message
    assert "(" in refused.value.message  # Chinese first, English in brackets


def test_a_group_is_read_from_the_facets_of_its_most_selective_fact_or_from_everyone() -> None:
    from outreach.projections.targeting import facets_of

    assert facets_of(TargetGroup(code="a", key_contact_reasons=("unemployed",), households=("rural",))) == [
        "k:unemployed"
    ]
    assert facets_of(TargetGroup(code="b", disability_levels=(1, 2))) == ["d:1", "d:2"]
    assert facets_of(LISHUI.groups[3])[-2:] == ["y:1930", "y:1940"]  # type: ignore[index]
    assert facets_of(TargetGroup(code="c", categories=("martyr_survivor",))) is None
    assert facets_of(TargetGroup(code="d", min_age=40, age_on=AUG_1)) is None  # born by 1982: most people
