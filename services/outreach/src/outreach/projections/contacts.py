"""Read model of contacts: each contact by person (their history) and region, withdrawn ones marked."""

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
                    "needs_follow_up": event.needs_follow_up,
                    "occasion": event.occasion,
                    "campaign_id": event.campaign_id,
                    "group_id": event.group_id,
                    "recorded_by": actor_from(event.actor).sub,
                    "status": "recorded",
                    "corrections": 0,
                },
            )
        elif isinstance(event, Contact.Corrected):
            changes = {name: str(value) if name == "contacted_on" else value for name, value in event.changes.items()}
            batch.put(
                "contacts",
                str(event.originator_id),
                event.originator_version,
                {**changes, "status": "corrected", "corrections": event.originator_version - 1},
            )
        elif isinstance(event, Contact.Withdrawn):
            batch.put(
                "contacts",
                str(event.originator_id),
                event.originator_version,
                {"status": "withdrawn", "withdrawal_reason": event.reason},
            )
