"""Jurisdiction in one place: region keys, the list filter, and what a caller may ask for."""

from __future__ import annotations

import pytest

from vet_common.auth import Principal, Role
from vet_common.domain import Invalid, NotFound, Refused
from vet_common.jurisdiction import ensure_visible, region_keys, scope, within

COUNTY_OFFICER = Principal(sub="u", name="n", roles=frozenset({Role.officer}), region="350102")


def test_a_village_carries_every_level_above_it() -> None:
    assert region_keys("350102001001") == ["35", "3501", "350102", "350102001", "350102001001"]
    assert region_keys("350102") == ["35", "3501", "350102"]


@pytest.mark.parametrize(
    ("document_region", "seen"),
    [
        ("350102001001", True),
        ("350102100203", True),
        ("350102", True),
        ("350103001001", False),
        ("350202001001", False),
        ("331121000000", False),
        ("35", False),  # the province is above the county, not inside it
    ],
)
def test_the_filter_selects_exactly_what_can_see_allows(document_region: str, seen: bool) -> None:
    query = within(COUNTY_OFFICER)
    selected = query["jurisdictions"] in region_keys(document_region)
    assert selected is seen
    assert COUNTY_OFFICER.can_see(document_region) is seen


def test_a_part_of_the_jurisdiction_may_be_asked_for() -> None:
    assert within(COUNTY_OFFICER, "350102001") == {"jurisdictions": "350102001"}
    assert within(COUNTY_OFFICER, "350102001", key="to_jurisdictions") == {"to_jurisdictions": "350102001"}
    assert scope(COUNTY_OFFICER) == "350102"


def test_a_region_outside_is_refused_and_a_malformed_one_is_invalid() -> None:
    with pytest.raises(Refused, match="本辖区"):
        scope(COUNTY_OFFICER, "350103")
    with pytest.raises(Invalid) as invalid:
        scope(COUNTY_OFFICER, "35010", field="region")
    assert invalid.value.field == "region"


def test_a_record_outside_looks_like_an_unknown_one() -> None:
    ensure_visible(COUNTY_OFFICER, "350102001001", "人")
    with pytest.raises(NotFound) as outside:
        ensure_visible(COUNTY_OFFICER, "350103001001", "人")
    with pytest.raises(NotFound) as unknown:
        ensure_visible(COUNTY_OFFICER, None, "人")
    assert outside.value.message == unknown.value.message
