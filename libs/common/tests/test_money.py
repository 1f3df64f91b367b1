"""Money in fen: parsing what people type, formatting, the pydantic type."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from vet_common.money import MAX_FEN, Fen, InvalidAmount, format_yuan, parse_yuan


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        ("1600", 160_000),
        ("1,600.00", 160_000),
        ("1,600", 160_000),
        ("14080", 1_408_000),
        ("0.01", 1),
        ("0.1", 10),
        ("0", 0),
        ("1234567.89", 123_456_789),
        ("1,234,567.8", 123_456_780),
        (" 1600.5 ", 160_050),
        ("１６００", 160_000),  # full-width
        ("￥1,600.00", 160_000),
        ("1600元", 160_000),
        (Decimal("1600.00"), 160_000),
        (Decimal("0.10"), 10),
        (Decimal("17600"), 1_760_000),
        (207000, 20_700_000),
    ],
)
def test_parse_yuan(amount: str | Decimal | int, fen: int) -> None:
    assert parse_yuan(amount) == fen


@pytest.mark.parametrize(
    ("amount", "fragment"),
    [
        ("-1", "负数"),
        ("-0.01", "负数"),
        (Decimal("-5"), "负数"),
        (-5, "负数"),
        ("1.001", "两位小数"),
        ("0.005", "两位小数"),
        (Decimal("1.234"), "两位小数"),
        ("1,60", "格式"),
        ("16,00.00", "格式"),
        ("1600.", "格式"),
        ("abc", "格式"),
        ("", "格式"),
        ("1e3", "格式"),
        (Decimal("NaN"), "格式"),
        (Decimal("Infinity"), "格式"),
    ],
)
def test_parse_yuan_refuses_with_a_reason(amount: str | Decimal | int, fragment: str) -> None:
    with pytest.raises(InvalidAmount, match=fragment):
        parse_yuan(amount)


def test_parse_yuan_refuses_floats() -> None:
    with pytest.raises(TypeError):
        parse_yuan(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (160_000, "1,600.00"),
        (0, "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (1_408_000, "14,080.00"),
        (123_456_789, "1,234,567.89"),
        (-160_050, "-1,600.50"),
    ],
)
def test_format_yuan(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@pytest.mark.parametrize("fen", [0, 1, 99, 100, 160_050, 123_456_789_012])
def test_format_then_parse_round_trips(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen


class Budget(BaseModel):
    budget_fen: Fen


def test_fen_accepts_whole_non_negative_amounts() -> None:
    assert Budget(budget_fen=160_000).budget_fen == 160_000
    assert Budget.model_validate_json('{"budget_fen": 0}').budget_fen == 0
    assert Budget.model_validate_json(f'{{"budget_fen": {MAX_FEN}}}').budget_fen == MAX_FEN


@pytest.mark.parametrize("value", [-1, 1.5, "abc", True, MAX_FEN + 1])
def test_fen_refuses_with_a_readable_message(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Budget(budget_fen=value)  # type: ignore[arg-type]
    message = caught.value.errors()[0]["msg"]
    assert "单位为分" in message
    assert "fen" in message


def test_fen_schema_documents_the_constraint() -> None:
    schema = Budget.model_json_schema()["properties"]["budget_fen"]
    assert schema["type"] == "integer"
    assert schema["minimum"] == 0
    assert "fen" in schema["description"]
