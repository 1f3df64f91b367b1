"""Outreach read models in MongoDB: visits by person and region."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain import Visit
from vet_common.domain import actor_from
from vet_common.projector import ReadModelBatch


class OutreachProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.visits.create_index([("region", 1), ("visited_on", -1)])
        await db.visits.create_index([("person_id", 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, Visit.Recorded):
            batch.put(
                "visits",
                str(event.originator_id),
                event.originator_version,
                {
                    "person_id": event.person_id,
                    "region": event.region,
                    "method": event.method,
                    "visited_on": event.visited_on.isoformat(),
                    "notes": event.notes,
                    "recorded_by": actor_from(event.actor).sub,
                },
            )
