"""Assistance read models in MongoDB: funds by region and year."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from assistance.domain import Fund
from vet_common.projector import ReadModelBatch


class AssistanceProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.funds.create_index([("region", 1), ("year", -1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, Fund.Created):
            batch.put(
                "funds",
                str(event.originator_id),
                event.originator_version,
                {"name": event.name, "region": event.region, "year": event.year, "budget_fen": event.budget_fen},
            )
