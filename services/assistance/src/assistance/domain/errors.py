"""The refusals of assistance's domain, each a named DomainError the API answers with its status."""

from __future__ import annotations

from vet_common.domain import Conflict, Refused
from vet_common.money import format_yuan


class OverBudget(Conflict):
    """The fund's remaining budget does not cover the amount."""


class OverCeiling(Conflict):
    """The amount would take the person beyond the fund's yearly ceiling."""


class OutOfOrder(Conflict):
    """The application is not at the step asked for."""


class WrongLevel(Refused):
    """This step belongs to another level of government (or another role)."""


class AlreadyPaid(Conflict):
    """A payment for this was already recorded."""


def _yuan(fen: int) -> str:
    return f"{format_yuan(fen)} 元"
