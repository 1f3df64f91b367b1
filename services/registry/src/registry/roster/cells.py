"""Repairing cells the way spreadsheets mangle them: IDs turned into numbers, Excel date serials, 1981.03."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from openpyxl.utils.datetime import from_excel

from registry.roster.files import RawValue

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 once Excel's phantom 1900-02-29 is allowed for
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e\+?\d+", re.IGNORECASE)
DATE_FIELDS = ("birth_date", "service.enlisted_on", "service.discharged_on")


def as_text(value: RawValue) -> str:
    """A cell as a person would read it: 1.0 -> "1", datetimes as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and abs(value) >= 1e15:
        return f"{value:.5E}"  # as Excel shows a long number: 3.50102E+17
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _mangled_id_message(shown: str) -> str:
    return (
        f"身份证号码被 Excel 当成数字保存，后几位已丢失（显示为 {shown}）。请把该列设为“文本”格式，"
        "重新录入完整号码 (the ID number was stored as a number and lost its last digits; "
        "format the column as text and enter it again)"
    )


def id_number_cell(value: RawValue) -> str:
    """The ID number as text, or ValueError when Excel has turned it into a number and lost digits."""
    if isinstance(value, float):
        # Excel keeps 15 significant digits: any 18-digit number stored as a float has lost the last three.
        raise ValueError(_mangled_id_message(f"{value:.5E}"))
    if isinstance(value, int):
        text = str(value)
        # An exact 18-digit integer can come from a program; one ending 000 is what Excel's 15 digits leave.
        if len(text) >= 16 and text.endswith("000"):
            raise ValueError(_mangled_id_message(text))
        return text
    text = as_text(value)
    if _SCIENTIFIC.fullmatch("".join(unicodedata.normalize("NFKC", text).split())):
        raise ValueError(_mangled_id_message(text.strip()))
    return text


def _excel_serial(serial: float) -> date:
    """Excel's 1900 date system (the 1904 one of old Mac workbooks is not supported)."""
    value = from_excel(serial)
    return value.date() if isinstance(value, datetime) else _EXCEL_EPOCH + timedelta(days=int(serial))


def date_cell(value: RawValue, label: str) -> RawValue:
    """Numbers in date columns: Excel serials (29661), 19810315, or 1981.03 typed into a numeric cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        text = "".join(unicodedata.normalize("NFKC", value).split())
        if re.fullmatch(r"\d{5}(?:\.0+)?", text):  # a serial that reached a CSV unformatted
            value = float(text)
        else:
            return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not value.is_integer():
        whole = int(value)
        if 1900 <= whole <= 2100:
            # 1981.03 typed into a number cell; 1981.1 could have been 1981.10 before Excel dropped the 0.
            text = repr(value)
            if text.endswith(".1"):
                raise ValueError(
                    f"{label}“{text}”无法确定是 1 月还是 10 月，请写成 {whole}-01 或 {whole}-10 "
                    "(ambiguous: January or October? write the month with two digits)"
                )
            return text
        if 1 <= value < 100000:
            return _excel_serial(value)  # a serial with a time of day
        return as_text(value)
    number = int(value)
    if 1900 <= number <= 2100:
        return str(number)  # a bare year: PersonData says it needs the month
    if 10_000_000 <= number <= 99_999_999:
        return str(number)  # 19810315
    if 1 <= number < 100000:
        return _excel_serial(number)
    return str(number)


def plain_cell(value: RawValue) -> RawValue:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, int | float | date) and not isinstance(value, bool):
        return as_text(value)
    return value
