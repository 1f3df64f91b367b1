"""Roster import: a deliberately messy 台账, as xlsx and csv, and exactly which rows get in."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from time_machine import TimeMachineFixture

from registry.domain import CATEGORY_NAMES, Category
from registry.roster import (
    EXAMPLE_ID_NUMBER,
    ROSTER_COLUMNS,
    RawRow,
    RosterFormatError,
    RowRejection,
    column_label,
    field_for_header,
    find_duplicates_in_file,
    parse_roster,
    parse_row,
    read_roster,
    rejections_xlsx,
    template_xlsx,
)
from registry.validation import PersonData
from vet_common.domain import CHINA
from vet_common.idnumber import make_id_number

TODAY = date(2024, 6, 1)
WANG = "35010219650701028X"  # 王芳, female, 1965-07-01, ends in X
ZHANG = make_id_number("350102", date(1981, 3, 15), 1, "male")
LI = make_id_number("350103", date(1958, 11, 2), 7, "male")
CHEN = make_id_number("350104", date(1975, 1, 20), 3, "female")
ZHAO = make_id_number("350111", date(1970, 5, 5), 9, "male")
BAD_CHECK = ZHAO[:-1] + ("1" if ZHAO[-1] != "1" else "2")
SUN = make_id_number("350102", date(1962, 8, 8), 11, "male")
ZHOU = make_id_number("350102", date(1980, 12, 1), 13, "male")
REGION = "350102001001"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


@pytest.fixture(autouse=True)
def fixed_today(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=CHINA), tick=False)


def test_the_fixtures_are_what_they_claim() -> None:
    assert WANG.endswith("X")
    assert excel_serial(date(1981, 3, 16)) == 29661
    assert make_id_number("350102", date(1965, 7, 1), 14, "female") == WANG


# ------------------------------------------------------------------------------------------ the messy roster

TITLE = ["鼓楼区退役军人和其他优抚对象台账（2024年）"]
HEADER = [
    "序号", " 姓  名 *", "身份证号", "性别", "出生日期", "民族", "手机", "住址", "区划代码（12位）",
    "户口性质", "人员类别", "入伍时间", "退伍时间", "军种", "军衔", "备注",
]  # fmt: skip

# Row number as the spreadsheet shows it -> cells as Excel holds them (numbers, datetimes) and as a CSV
# export of the same sheet would show them.
XLSX_ROWS: dict[int, list[Any]] = {
    3: [1, "王 芳", f" {full_width(WANG.lower()[:6])} {full_width(WANG.lower()[6:])} ", "女",
        excel_serial(date(1965, 7, 1)), "汉", full_width("138 1234 5678"), "鼓东街道 1 号", full_width(REGION),
        "农业", "现役军人家属", None, None, None, None, "全角、小写 x、日期序列号"],
    4: [2, "张三", ZHANG, "男", "1981.03", "汉族", "13912345678", None, REGION, "农村",
        "退役士兵、残疾军人", 1999.03, datetime(2003, 12, 1), "陆军", "上士", "1981.03 与数字单元格 1999.03"],
    5: [3, None, None, None, None, None, None, None, None, None, None, None, None, None, None, "只有序号的空行"],
    6: [None] * 16,
    7: [4, "张 三", ZHANG[:6] + " " + ZHANG[6:], None, None, None, None, None, REGION, None, "退役士兵",
        None, None, None, None, "同一人第二次出现"],
    8: [5, "赵六", BAD_CHECK, None, None, None, None, None, REGION, None, "退役士兵",
        None, None, None, None, "校验位错误"],
    9: [6, "李四", LI, None, None, None, None, None, "350103001001", "城镇", "老兵",
        None, None, None, None, "未知类别"],
    10: [7, "陈红", float(CHEN), None, None, None, None, None, "350104001001", None, "烈士遗属",
         None, None, None, None, "Excel 把号码变成了 3.50104E+17"],
    11: [8, "孙明", SUN, None, datetime(1962, 8, 8), "回族", "0591 8765 4321", None, int(REGION), "城镇",
         "复员军人", excel_serial(date(1980, 11, 1)), "1985年3月", "海军", None, "序列号入伍时间、座机"],
    12: [9, "周强", ZHOU, "男", "1980-12-02", None, "1234", None, REGION, None, "退役士兵",
         None, None, None, None, "出生日期不符且电话错误"],
}  # fmt: skip


def csv_text(cell: Any) -> str:
    """What Excel's "save as CSV" writes for a cell."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return f"{cell.year}/{cell.month}/{cell.day}"
    if isinstance(cell, float) and cell > 1e15:
        return f"{cell:.5E}"  # 3.50104E+17, as Excel shows it
    return str(cell)


ACCEPTED = {3: WANG, 4: ZHANG, 11: SUN}
REJECTED = {
    7: {"id_number": "与第 4 行身份证号码重复"},
    8: {"id_number": "校验位"},
    9: {"categories": "“老兵”无法识别"},
    10: {"id_number": "Excel"},
    12: {"birth_date": "身份证号码显示为 1980-12-01", "phone": "联系电话“1234”"},
}


def messy_xlsx(extra_rows: dict[int, list[Any]] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(TITLE)
    sheet.append(HEADER)
    for number, row in {**XLSX_ROWS, **(extra_rows or {})}.items():
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def messy_csv(encoding: str) -> bytes:
    lines = [",".join(TITLE), ",".join(HEADER)]
    for number in range(3, max(XLSX_ROWS) + 1):
        cells = [csv_text(cell) for cell in XLSX_ROWS[number]]
        lines.append(",".join(f'"{cell}"' if "," in cell else cell for cell in cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def outcome(results: list[tuple[RawRow, PersonData | RowRejection]]) -> tuple[dict[int, str], dict[int, dict]]:
    accepted = {raw.row_number: r.id_number for raw, r in results if isinstance(r, PersonData)}
    rejected = {raw.row_number: dict(r.errors) for raw, r in results if isinstance(r, RowRejection)}
    return accepted, rejected


def assert_expected(results: list[tuple[RawRow, PersonData | RowRejection]]) -> None:
    accepted, rejected = outcome(results)
    assert accepted == ACCEPTED
    assert {row: set(errors) for row, errors in rejected.items()} == {row: set(e) for row, e in REJECTED.items()}
    for row, expected in REJECTED.items():
        for path, fragment in expected.items():
            assert fragment in rejected[row][path], (row, path, rejected[row][path])


@pytest.mark.parametrize(
    ("filename", "make"),
    [
        ("台账.xlsx", messy_xlsx),
        ("台账.csv", lambda: messy_csv("utf-8-sig")),
        ("台账.CSV", lambda: messy_csv("utf-8")),
        ("台账.csv", lambda: messy_csv("gb18030")),
    ],
)
def test_the_messy_roster(filename: str, make: Any) -> None:
    results = list(parse_roster(make(), filename))
    assert [raw.row_number for raw, _ in results] == [3, 4, 7, 8, 9, 10, 11, 12]  # blank rows 5, 6 skipped
    assert_expected(results)
    people = {raw.row_number: person for raw, person in results if isinstance(person, PersonData)}

    wang = people[3]
    assert (wang.name, wang.sex, wang.birth_date) == ("王芳", "female", date(1965, 7, 1))
    assert (wang.ethnicity, wang.phone, wang.region, wang.household) == ("汉族", "13812345678", REGION, "rural")
    assert wang.categories == [Category.active_duty_family]
    assert wang.service is None

    zhang = people[4]
    assert zhang.birth_date == date(1981, 3, 15)
    assert zhang.categories == [Category.discharged_soldier, Category.disabled_soldier]
    assert zhang.service is not None
    assert (zhang.service.enlisted_on, zhang.service.discharged_on) == (date(1999, 3, 1), date(2003, 12, 1))
    assert (zhang.service.branch, zhang.service.rank) == ("陆军", "上士")

    sun = people[11]
    assert (sun.phone, sun.ethnicity, sun.household) == ("0591-87654321", "回族", "urban")
    assert sun.service is not None
    assert (sun.service.enlisted_on, sun.service.discharged_on) == (date(1980, 11, 1), date(1985, 3, 1))


def test_rejections_keep_the_original_cells_and_name_the_columns() -> None:
    results = list(parse_roster(messy_xlsx(), "台账.xlsx"))
    rejected = {raw.row_number: r for raw, r in results if isinstance(r, RowRejection)}
    assert rejected[10].values["id_number"] == "3.50104E+17"
    assert rejected[10].reason.startswith("身份证号码被 Excel 当成数字保存，后几位已丢失（显示为 3.50104E+17）")
    assert rejected[12].errors[0][0] == "birth_date"  # in column order
    assert [item["column"] for item in rejected[12].items()] == ["出生日期", "联系电话"]
    assert rejected[7].items() == [
        {
            "row": 7,
            "field": "id_number",
            "column": "公民身份号码",
            "reason": "与第 4 行身份证号码重复 (same ID number as row 4)",
        }
    ]


def test_xlsx_only_cases() -> None:
    extra = {
        13: [10, "吴刚", make_id_number("350102", date(1960, 1, 1), 21, "male"), None, None, None, None, None,
             REGION, None, "退役士兵", 1981.1, None, None, None, "1981.1：1 月还是 10 月？"],
        14: [11, "郑伟", make_id_number("350102", date(1960, 1, 1), 23, "male"), None, None, None, None, None,
             REGION, None, "退役士兵", 1978, None, None, None, "只有年份"],
        15: [12, "冯军", make_id_number("350102", date(1960, 1, 1), 25, "male"), None, None, None, None, None,
             REGION, None, "退役士兵", 19780301, 19821231.0, None, None, "数字形式的 19780301"],
    }  # fmt: skip
    results = list(parse_roster(messy_xlsx(extra), "台账.xlsx"))
    accepted, rejected = outcome(results)
    assert set(accepted) == {*ACCEPTED, 15}
    assert set(rejected) == {*REJECTED, 13, 14}
    assert "1 月还是 10 月" in rejected[13]["service.enlisted_on"]
    assert "只有年份" in rejected[14]["service.enlisted_on"]
    person = next(r for raw, r in results if raw.row_number == 15)
    assert isinstance(person, PersonData)
    assert person.service is not None
    assert (person.service.enlisted_on, person.service.discharged_on) == (date(1978, 3, 1), date(1982, 12, 31))


def test_a_csv_serial_and_a_csv_year_month() -> None:
    raw = RawRow(
        2,
        {"name": "张三", "id_number": ZHANG, "birth_date": "29660", "region": REGION, "categories": "退役士兵",
         "service.enlisted_on": "1999.1"},
    )  # fmt: skip
    person = parse_row(raw)
    assert isinstance(person, PersonData), person
    assert person.birth_date == date(1981, 3, 15)
    assert person.service is not None
    assert person.service.enlisted_on == date(1999, 1, 1)  # text 1999.1 was typed as such: January


def test_an_exact_integer_id_number_from_a_program_is_accepted_but_not_one_excel_has_rounded() -> None:
    base = {"name": "张三", "region": REGION, "categories": "退役士兵"}
    assert isinstance(parse_row(RawRow(2, {**base, "id_number": int(ZHANG)})), PersonData)
    rounded = parse_row(RawRow(2, {**base, "id_number": int(ZHANG[:15] + "000")}))
    assert isinstance(rounded, RowRejection)
    assert rounded.field == "id_number"
    assert "Excel" in rounded.reason


def test_duplicates_only_count_rows_that_were_accepted() -> None:
    base = {"name": "张三", "region": REGION, "id_number": ZHANG}
    rows = [RawRow(2, {**base, "categories": "老兵"}), RawRow(3, {**base, "categories": "退役士兵"}),
            RawRow(4, {**base, "categories": "退役士兵"})]  # fmt: skip
    results = list(find_duplicates_in_file((raw, parse_row(raw)) for raw in rows))
    assert [type(r).__name__ for _, r in results] == ["RowRejection", "PersonData", "RowRejection"]
    third = results[2][1]
    assert isinstance(third, RowRejection)
    assert third.reason == "与第 3 行身份证号码重复 (same ID number as row 3)"


# ------------------------------------------------------------------------------------------ headers and files


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("公民身份号码*", "id_number"),
        ("公民身份号码 ＊", "id_number"),
        ("身份证号码", "id_number"),
        ("ｉｄ＿ｎｕｍｂｅｒ", "id_number"),
        ("姓　名", "name"),
        ("电话", "phone"),
        ("手机", "phone"),
        ("联系电话（手机）", "phone"),
        ("住址", "address"),
        ("区划代码", "region"),
        ("户口性质", "household"),
        ("人员类别*", "categories"),
        ("入伍时间", "service.enlisted_on"),
        ("军衔", "service.rank"),
        ("职级", "service.rank"),
        ("序号", None),
        ("备注", None),
        (None, None),
    ],
)
def test_headers(header: str | None, field: str | None) -> None:
    assert field_for_header(header) == field


def test_every_column_has_a_label() -> None:
    assert list(ROSTER_COLUMNS)[:2] == ["姓名", "公民身份号码"]
    for header, path in ROSTER_COLUMNS.items():
        assert field_for_header(header) == path
        assert column_label(path) == header
    assert column_label("service") == "服役信息"


def test_missing_required_column_says_which_and_what_the_file_had() -> None:
    data = f"姓名,身份证号,人员类别\n张三,{ZHANG},退役士兵\n".encode()
    with pytest.raises(RosterFormatError) as caught:
        list(read_roster(data, "a.csv"))
    message = str(caught.value)
    assert "缺少必填列：行政区划代码" in message
    assert "文件中的列为：姓名、身份证号、人员类别" in message
    assert "(missing required column(s): 行政区划代码" in message


@pytest.mark.parametrize(
    ("data", "filename", "fragment"),
    [
        (b"anything", "roster.xls", "另存为"),
        (b"%PDF-1.4", "roster.pdf", "只能导入 .xlsx 或 .csv"),
        (b"not a zip file at all", "roster.xlsx", "无法打开"),
        (b"\xff\xfe\x00\x81\x00", "roster.csv", "编码"),
        ("编号,地址\n1,某地\n".encode(), "roster.csv", "找不到表头"),
        (b"", "roster.csv", "找不到表头"),
    ],
)
def test_files_that_cannot_be_imported(data: bytes, filename: str, fragment: str) -> None:
    with pytest.raises(RosterFormatError, match=fragment):
        read_roster(data, filename)  # raised at once, before iterating


def test_the_template_round_trips_without_importing_its_example() -> None:
    data = template_xlsx()
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["人员台账", "填写说明"]
    sheet = workbook["人员台账"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["姓名*", "公民身份号码*", "性别"]
    assert {h.rstrip("*") for h in headers if h.endswith("*")} == {"姓名", "公民身份号码", "行政区划代码", "人员类别"}
    assert [field_for_header(h) for h in headers] == list(ROSTER_COLUMNS.values())
    example = [cell.value for cell in sheet[2]]
    assert example[1] == EXAMPLE_ID_NUMBER
    help_text = " ".join(str(cell.value) for row in workbook["填写说明"].iter_rows() for cell in row if cell.value)
    for category, name in CATEGORY_NAMES.items():
        assert name in help_text
        assert category.value in help_text
    for header in ROSTER_COLUMNS:
        assert header in help_text

    assert list(read_roster(data, "template.xlsx")) == []  # the example row is not imported
    # ... but the example itself is a valid row, so a copy of it with another name gets in.
    sheet["A2"] = "李四"
    buffer = io.BytesIO()
    workbook.save(buffer)
    results = list(parse_roster(buffer.getvalue(), "filled.xlsx"))
    assert len(results) == 1
    person = results[0][1]
    assert isinstance(person, PersonData), person
    assert person.service is not None
    assert person.service.enlisted_on == date(1978, 12, 1)


def test_rejections_workbook() -> None:
    rejections = [r for _, r in parse_roster(messy_xlsx(), "台账.xlsx") if isinstance(r, RowRejection)]
    sheet = load_workbook(io.BytesIO(rejections_xlsx(rejections)))["未导入的行"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["行号", "字段", "原因", "姓名"]
    assert [(row[0], row[1]) for row in rows[1:]] == [
        (7, "公民身份号码"), (8, "公民身份号码"), (9, "人员类别"), (10, "公民身份号码"),
        (12, "出生日期"), (12, "联系电话"),
    ]  # fmt: skip
    id_column = rows[0].index("公民身份号码")
    assert rows[1][id_column] == ZHANG[:6] + "********" + ZHANG[-4:]  # masked by default
    assert rows[1][rows[0].index("姓名")] == "张 三"  # the cell as it was

    clear = load_workbook(io.BytesIO(rejections_xlsx(rejections, mask=False)))["未导入的行"]
    assert clear.cell(row=2, column=id_column + 1).value == ZHANG[:6] + " " + ZHANG[6:]
