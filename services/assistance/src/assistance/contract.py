"""Integration events assistance publishes on vet.assistance.v1."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from assistance.domain import Fund
from vet_common.events import Actor, IntegrationEvent

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
        return IntegrationEvent.build(
            type="FundCreated",
            source=SOURCE,
            source_position=position,
            aggregate_id=str(domain_event.originator_id),
            aggregate_version=domain_event.originator_version,
            occurred_at=domain_event.timestamp,
            actor=Actor(**domain_event.actor),
            region=domain_event.region,
            data=data.model_dump(),
        )
    raise TypeError(f"no integration mapping for {type(domain_event).__qualname__}")
