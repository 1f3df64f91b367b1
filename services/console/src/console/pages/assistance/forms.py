"""Assistance's forms: amounts typed in yuan become the API's fen, and the API's [{field, message}] go beside
the input they name (the amount rule's tag, e.g. rules.amount.fixed.amount_fen, is not an input of its own)."""

from __future__ import annotations

from typing import Any

from console.clients import ApiRefused
from console.pages.registry.forms import TOP, Input, place_errors
from vet_common.money import InvalidAmount, parse_yuan

AMOUNT_TAGS = ("fixed", "share_of_remainder", "monthly", "yearly")


def fen_fields(values: dict[str, Any], names: tuple[str, ...]) -> tuple[dict[str, int], dict[str, str]]:
    """The inputs among `names` that were filled in, as fen, and a message beside each that is not an amount."""
    amounts: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name in names:
        text = str(values.get(name) or "").strip()
        if not text:
            continue
        try:
            amounts[name] = parse_yuan(text)
        except InvalidAmount as error:
            errors[name] = str(error)
    return amounts, errors


def api_errors(refusal: ApiRefused, inputs: tuple[Input, ...]) -> dict[str, str]:
    """The refusal's messages by input; what names no input of the form goes at the top."""
    fields = {}
    for field, message in refusal.field_errors().items():
        parts = [part for part in field.split(".") if part not in AMOUNT_TAGS]
        fields[".".join(parts)] = message
    return place_errors(fields, inputs) or {TOP: refusal.message()}


def lines(text: Any) -> list[str]:
    """One item a line (documents, what is missing), blanks dropped."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]
