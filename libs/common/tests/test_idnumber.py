"""Citizen ID numbers: valid and invalid tables, masking, the test-number builder."""

from __future__ import annotations

from datetime import date

import pytest

from vet_common.idnumber import (
    InvalidIdNumber,
    check_digit,
    make_id_number,
    mask_id_number,
    mask_phone,
    parse_id_number,
)

TODAY = date(2024, 6, 1)

VALID = [
    # raw, normalized, birth date, sex
    ("11010519491231002X", "11010519491231002X", date(1949, 12, 31), "female"),  # GB 11643's own example
    ("11010519491231002x", "11010519491231002X", date(1949, 12, 31), "female"),  # lower-case x
    ("350102198103150015", "350102198103150015", date(1981, 3, 15), "male"),
    ("３５０１０２１９８１０３１５００１５", "350102198103150015", date(1981, 3, 15), "male"),  # full-width
    ("11010519491231002ｘ", "11010519491231002X", date(1949, 12, 31), "female"),  # full-width x
    (" 350102 19810315 0015 ", "350102198103150015", date(1981, 3, 15), "male"),  # spaces
    ("350102\u300019810315\u30000015", "350102198103150015", date(1981, 3, 15), "male"),  # ideographic space
    ("50010320000229003x", "50010320000229003X", date(2000, 2, 29), "male"),  # leap day in a leap century
    ("440402190001010013", "440402190001010013", date(1900, 1, 1), "male"),  # earliest accepted
    ("331121202406010015", "331121202406010015", TODAY, "male"),  # born today
]


@pytest.mark.parametrize(("raw", "value", "birth", "sex"), VALID)
def test_valid_numbers_parse(raw: str, value: str, birth: date, sex: str) -> None:
    parsed = parse_id_number(raw, today=TODAY)
    assert parsed.value == value
    assert parsed.birth_date == birth
    assert parsed.sex == sex
    assert parsed.region_prefix == value[:6]


INVALID = [
    # raw, a fragment the message must contain
    ("", "请填写"),
    ("35010219810315001", "18 位"),  # 17 characters
    ("3501021981031500158", "18 位"),  # 19 characters
    ("350102810315001", "15 位旧号码"),  # old 15-digit number
    ("35010219810315001A", "最后一位"),
    ("3501021981031500X8", "前 17 位"),
    ("X50102198103150018", "前 17 位"),
    ("990102198103150011", "省份代码"),
    ("350102198102300017", "不存在"),  # 30 February
    ("350102190002290015", "不存在"),  # 1900 was not a leap year
    ("350102198113010012", "不存在"),  # month 13
    ("350102198103000017", "不存在"),  # day 0
    ("350102202406020013", "晚于今天"),  # tomorrow
    ("350102189912310013", "早于 1900"),
    ("350102198103150019", "应为 5"),  # wrong check digit
    ("350102198103150011", "校验位"),
    ("110105194912310021", "应为 X"),  # check digit should be X
]


@pytest.mark.parametrize(("raw", "fragment"), INVALID)
def test_invalid_numbers_are_refused_with_a_reason(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(raw, today=TODAY)
    message = str(caught.value)
    assert fragment in message
    assert "(" in message  # the English half follows the Chinese


def test_the_invalid_table_is_wrong_only_where_it_says() -> None:
    # Each wrong-check-digit case differs from a valid number only in its last character.
    assert check_digit("35010219810315001") == "5"
    assert parse_id_number("350102198103150015", today=TODAY).value == "350102198103150015"


def test_check_digit_matches_the_standard_example_and_rejects_bad_input() -> None:
    assert check_digit("11010519491231002") == "X"
    assert check_digit("35010219810315001") == "5"
    with pytest.raises(ValueError, match="17"):
        check_digit("1234")


def test_every_single_digit_typo_is_caught() -> None:
    # MOD 11-2 detects every single substitution; a date or province check may catch it first.
    valid = "350102198103150015"
    for position in range(18):
        for replacement in "0123456789X":
            if replacement == valid[position] or (replacement == "X" and position < 17):
                continue
            typo = valid[:position] + replacement + valid[position + 1 :]
            with pytest.raises(InvalidIdNumber):
                parse_id_number(typo, today=TODAY)


def test_future_dates_use_the_real_clock_by_default() -> None:
    far_future = make_id_number("350102", date(2999, 1, 1), 1, "male")
    with pytest.raises(InvalidIdNumber, match="晚于今天"):
        parse_id_number(far_future)


@pytest.mark.parametrize("sex", ["male", "female"])
@pytest.mark.parametrize("sequence", [0, 1, 250, 499])
def test_make_id_number_builds_numbers_that_parse_back(sex: str, sequence: int) -> None:
    number = make_id_number("331102", date(1975, 8, 1), sequence, sex)  # type: ignore[arg-type]
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.sex == sex
    assert parsed.birth_date == date(1975, 8, 1)
    assert parsed.region_prefix == "331102"


def test_make_id_number_gives_distinct_numbers() -> None:
    numbers = {make_id_number("350102", date(1980, 1, 1), n, sex) for n in range(500) for sex in ("male", "female")}
    assert len(numbers) == 1000


@pytest.mark.parametrize(
    ("region", "sequence", "problem"),
    [("35010", 1, "region6"), ("350102", 500, "sequence"), ("350102", -1, "sequence")],
)
def test_make_id_number_refuses_bad_arguments(region: str, sequence: int, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        make_id_number(region, date(1980, 1, 1), sequence, "male")


def test_masking() -> None:
    assert mask_id_number("350102198103150015") == "350102********0015"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("12345") == "*****"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("87654321") == "****4321"
    assert mask_phone("123") == "***"
