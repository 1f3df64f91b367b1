"""Validating roster rows: each becomes a PersonData or a rejection that names every bad field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from registry.roster.cells import DATE_FIELDS, as_text, date_cell, id_number_cell, plain_cell
from registry.roster.columns import COLUMN_OF, ROSTER_COLUMNS, column_label
from registry.roster.files import RawRow, read_roster
from registry.validation import PersonData, field_errors


@dataclass(frozen=True)
class RowRejection:
    """A row that cannot be registered, with every problem found in it.

    errors: (field path, reason) pairs, one per bad field, in column order where pydantic gives it.
    values: the row's original cells as text, by field path (unmasked: mask before showing).
    """

    row_number: int
    errors: tuple[tuple[str, str], ...]
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def field(self) -> str:
        """The first bad field (most rows have only one)."""
        return self.errors[0][0]

    @property
    def reason(self) -> str:
        return self.errors[0][1]

    def items(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per problem: row, field, column (Chinese header), reason."""
        return [
            {"row": self.row_number, "field": path, "column": column_label(path), "reason": reason}
            for path, reason in self.errors
        ]


def parse_row(raw: RawRow) -> PersonData | RowRejection:
    """A validated person, or a rejection listing each bad field with a reason a station worker can act on."""
    early: dict[str, str] = {}
    person: dict[str, Any] = {}
    service: dict[str, Any] = {}
    for path, value in raw.values.items():
        try:
            if path == "id_number":
                cell: Any = None if value is None else id_number_cell(value)
            elif path in DATE_FIELDS:
                cell = date_cell(value, COLUMN_OF[path])
            else:
                cell = plain_cell(value)
        except ValueError as error:
            early[path] = str(error)
            continue
        if path.startswith("service."):
            service[path.removeprefix("service.")] = cell
        else:
            person[path] = cell
    if service:
        person["service"] = service
    try:
        if not early:
            return PersonData.model_validate(person)
        PersonData.model_validate(person)
        found: list[tuple[str, str]] = []
    except ValidationError as error:
        found = field_errors(error)
    # A field refused before validation is missing from it; keep our reason, not "required".
    problems = {**dict(found), **early}
    ordered = sorted(problems.items(), key=lambda item: _column_order(item[0]))
    return RowRejection(raw.row_number, tuple(ordered), _original_values(raw))


def _column_order(path: str) -> int:
    fields = list(ROSTER_COLUMNS.values())
    for candidate in (path, path.rsplit(".", 1)[0]):
        if candidate in fields:
            return fields.index(candidate)
    return len(fields)


def _original_values(raw: RawRow) -> dict[str, str]:
    return {path: as_text(value) for path, value in raw.values.items()}


def find_duplicates_in_file(
    results: Iterable[tuple[RawRow, PersonData | RowRejection]],
) -> Iterator[tuple[RawRow, PersonData | RowRejection]]:
    """Reject the later rows of an ID number that an earlier accepted row already has (streams)."""
    first_row: dict[str, int] = {}
    for raw, result in results:
        if isinstance(result, PersonData):
            earlier = first_row.setdefault(result.id_number, raw.row_number)
            if earlier != raw.row_number:
                result = RowRejection(
                    raw.row_number,
                    (
                        (
                            "id_number",
                            f"与第 {earlier} 行身份证号码重复 (same ID number as row {earlier})",
                        ),
                    ),
                    _original_values(raw),
                )
        yield raw, result


def parse_roster(data: bytes, filename: str) -> Iterator[tuple[RawRow, PersonData | RowRejection]]:
    """read_roster, parse_row and find_duplicates_in_file in one pass; raises RosterFormatError up front."""
    rows = read_roster(data, filename)
    return find_duplicates_in_file((raw, parse_row(raw)) for raw in rows)
