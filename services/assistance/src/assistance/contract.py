"""Integration events assistance publishes on vet.assistance.v1."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from assistance.domain import Fund
from vet_common.events import IntegrationEvent, from_domain_event

SOURCE = "assistance"


class FundCreatedData(BaseModel):
    """data of FundCreated (schema_version 1)."""

    fund_id: str
    name: str
    year: int
    budget_fen: int


EVENT_SCHEMAS: dict[str, type[BaseModel]] = {"FundCreated": FundCreatedData}


def translate(domain_event: Any, position: int) -> IntegrationEvent | None:
    if isinstance(domain_event, Fund.Created):
        data = FundCreatedData(
            fund_id=str(domain_event.originator_id),
            name=domain_event.name,
            year=domain_event.year,
            budget_fen=domain_event.budget_fen,
        )
        return from_domain_event(domain_event, position, type="FundCreated", source=SOURCE, data=data)
    raise TypeError(f"no integration mapping for {type(domain_event).__qualname__}")
