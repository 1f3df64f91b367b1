"""Integration events assistance publishes on vet.assistance.v1."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from vet_contracts.envelope import PublicEvent


class FundCreatedData(BaseModel):
    """data of FundCreated (schema_version 1)."""

    fund_id: str
    name: str
    year: int
    budget_fen: int


class FundCreated(PublicEvent):
    """A region created a fund programme with a yearly budget (in fen)."""

    type: Literal["FundCreated"]
    data: FundCreatedData


EVENTS: tuple[type[PublicEvent], ...] = (FundCreated,)
