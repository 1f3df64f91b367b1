"""Administrative region codes (行政区划代码): validation, jurisdiction prefixes and names."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Literal

from vet_common.divisions import division_table

Level = Literal["province", "city", "county", "township", "village"]

# A 12-digit statistical code is province 2, city 2, county 2, township 3, village 3 digits;
# these are the lengths of the significant prefixes that name one region at each level.
LEVEL_LENGTHS: dict[int, Level] = {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}
_GROUP_ENDS = (2, 4, 6, 9, 12)


class InvalidRegion(ValueError):
    """A region code or jurisdiction that cannot be right; the message says what to fix."""


# Municipalities group their districts under "市辖区" (01) and their counties under "县" (02);
# those groupings are not places, so full names leave them out.
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
# The same goes for the groupings of county-level cities that a province governs directly (仙桃市 429004).
_GROUPINGS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


class _Provinces(Mapping[str, str]):
    """Province code to name, from the division table, which is read only when first asked."""

    def __getitem__(self, code: str) -> str:
        return division_table().provinces[code]

    def __iter__(self) -> Iterator[str]:
        return iter(division_table().provinces)

    def __len__(self) -> int:
        return len(division_table().provinces)


PROVINCES: Mapping[str, str] = _Provinces()


def normalize_region_code(code: str) -> str:
    """Strip blanks and turn full-width digits (from Chinese input methods) into ASCII."""
    return "".join(unicodedata.normalize("NFKC", str(code)).split())


def _groups(code: str) -> list[str]:
    starts = (0, *_GROUP_ENDS[:-1])
    return [code[start:end] for start, end in zip(starts, _GROUP_ENDS, strict=True)]


def _significant(code12: str) -> str:
    """The code without its trailing all-zero groups: the prefix that names the region."""
    end = 0
    for group_end, group in zip(_GROUP_ENDS, _groups(code12), strict=True):
        if int(group):
            end = group_end
    return code12[:end]


def validate_region_code(code: str) -> str:
    """Return the normalized 12-digit code, or raise InvalidRegion saying what is wrong.

    Rules: 12 digits; a known province; below a zero group everything is zero (a county code of 00
    only in the cities that have no counties, such as 东莞); and the city, county and township must
    each be in the division table wherever the table lists the children of the level above. The
    village part (last 3 digits) is not in the table and is not checked.
    """
    value = normalize_region_code(code)
    if len(value) != 12 or not value.isdigit():
        raise InvalidRegion(
            f"行政区划代码应为 12 位数字，收到 “{code}” (region code must be 12 digits, e.g. 350102001001)"
        )
    province, city, county, township, village = _groups(value)
    if province not in PROVINCES:
        raise InvalidRegion(f"行政区划代码前两位 {province} 不是省级代码，请核对 (unknown province code {province})")
    table = division_table()
    if city == "00" and int(value[4:]):
        raise InvalidRegion(f"行政区划代码 {value} 缺少市级代码，请核对 (city part is 00 but lower parts are not)")
    # Cities without counties are the ones whose county-level row in the table is XXXX00.
    if county == "00" and int(value[6:]) and value[:6] not in table.names:
        raise InvalidRegion(f"行政区划代码 {value} 缺少县级代码，请核对 (county part is 00 but lower parts are not)")
    if township == "000" and village != "000":
        raise InvalidRegion(f"行政区划代码 {value} 缺少乡镇级代码，请核对 (township part is 000 but village is not)")
    # Where the table lists no children (香港, 澳门, 台湾) the level below cannot be checked.
    if city != "00" and province in table.parents and value[:4] not in table.names:
        raise InvalidRegion(f"{PROVINCES[province]}没有代码为 {value[:4]} 的市，请核对 (no such city: {value[:4]})")
    if county != "00" and value[:4] in table.parents and value[:6] not in table.names:
        raise InvalidRegion(
            f"代码 {value[:6]} 不是{full_name(value[:4])}下属的县区，请核对 (no such county: {value[:6]})"
        )
    if township != "000" and value[:6] in table.parents and value[:9] not in table.names:
        raise InvalidRegion(
            f"代码 {value[:9]} 不是{full_name(value[:6])}下属的乡镇（街道），请核对第 7–9 位 "
            f"(no such township or street: {value[:9]}; check digits 7-9)"
        )
    return value


def jurisdiction_prefix(code: str) -> str:
    """The significant prefix of a code or prefix: 350102000000 -> 350102, 3500 -> 35."""
    value = normalize_region_code(code)
    if len(value) in LEVEL_LENGTHS and value.isdigit():
        value = value.ljust(12, "0")
    return _significant(validate_region_code(value))


def validate_jurisdiction(prefix: str) -> str:
    """Check a jurisdiction (2, 4, 6, 9 or 12 significant digits) and return it in canonical form."""
    value = normalize_region_code(prefix)
    if len(value) not in LEVEL_LENGTHS or not value.isdigit():
        raise InvalidRegion(
            f"辖区代码应为 2、4、6、9 或 12 位数字，收到 “{prefix}” "
            "(jurisdiction must be 2, 4, 6, 9 or 12 digits, e.g. 35, 3501, 350102)"
        )
    canonical = jurisdiction_prefix(value)
    if not canonical:
        raise InvalidRegion(f"辖区代码 “{prefix}” 全为 0 (jurisdiction cannot be all zeros)")
    return canonical


def is_within(code: str, prefix: str) -> bool:
    """Whether a region code lies inside a jurisdiction. Fixed-width groups make this a string prefix test."""
    value = normalize_region_code(code)
    scope = normalize_region_code(prefix)
    if not value.isdigit() or len(value) not in LEVEL_LENGTHS or (scope and not scope.isdigit()):
        return False
    if len(scope) in LEVEL_LENGTHS:
        # "350100" and "3501" are the same jurisdiction; compare significant prefixes.
        scope = _significant(scope.ljust(12, "0"))
    return value.startswith(scope)


def level_of(prefix: str) -> Level:
    """The level a code or prefix names: 35 province, 350102 county, 350102001001 village."""
    significant = jurisdiction_prefix(prefix)
    if not significant:
        raise InvalidRegion("行政区划代码全为 0 (region code cannot be all zeros)")
    return LEVEL_LENGTHS[len(significant)]


def parent_of(prefix: str) -> str | None:
    """The jurisdiction one level up (350102 -> 3501, 441900003 -> 4419), None for a province."""
    significant = jurisdiction_prefix(prefix)
    ends = [end for end in _GROUP_ENDS if end < len(significant)]
    if not ends:
        return None
    return _significant(significant[: ends[-1]].ljust(12, "0"))


def _chain(code: str) -> list[str]:
    """The significant prefixes of every level from the province down to the code itself."""
    significant = jurisdiction_prefix(code)
    groups = _groups(significant.ljust(12, "0"))
    # A zero group in the middle (东莞's county 00) is not a level of its own.
    return [
        significant[:end]
        for end, group in zip(_GROUP_ENDS, groups, strict=True)
        if end <= len(significant) and int(group)
    ]


def name_of(code: str) -> str | None:
    """The name of the region a code or prefix names, when the division table has it (villages it has not)."""
    try:
        return division_table().names.get(jurisdiction_prefix(code))
    except InvalidRegion:
        return None


def full_name(code: str) -> str | None:
    """Names from the province down: "福建省 福州市 鼓楼区"; None if the province is unknown."""
    try:
        chain = _chain(code)
    except InvalidRegion:
        return None
    table = division_table().names
    names = [
        table[prefix] for prefix in chain if prefix in table and not (len(prefix) == 4 and table[prefix] in _GROUPINGS)
    ]
    return " ".join(names) or None


def common_jurisdiction(codes: list[str]) -> str:
    """The narrowest jurisdiction that contains every code (a county for two townships of it)."""
    shared = os.path.commonprefix(codes)  # noqa: RUF071 - character by character is what region codes need
    for length in sorted(LEVEL_LENGTHS, reverse=True):
        if len(shared) >= length:
            return shared[:length]
    return ""
