"""Read model of contacts: each contact by person and region."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.contacts import Contact
from vet_common.domain import actor_from
from vet_common.projector import ReadModelBatch


class ContactsProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.contacts.create_index([("region", 1), ("contacted_on", -1)])
        await db.contacts.create_index([("person_id", 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, Contact.Recorded):
            batch.put(
                "contacts",
                str(event.originator_id),
                event.originator_version,
                {
                    "person_id": event.person_id,
                    "region": event.region,
                    "method": event.method,
                    "contacted_on": event.contacted_on.isoformat(),
                    "staff": event.staff,
                    "findings": event.findings,
                    "campaign_id": event.campaign_id,
                    "recorded_by": actor_from(event.actor).sub,
                },
            )
