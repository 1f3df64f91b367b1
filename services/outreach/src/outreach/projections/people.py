"""Read model of the people outreach serves, from its people replica: who lives where, in which groups.

Campaign target lists and the key contacts without a pairing are chosen from here, by equality on a
jurisdiction key plus the facts a target rule names; nothing personal is kept (the replica holds none).
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from vet_common.jurisdiction import JURISDICTIONS, region_keys
from vet_common.people import PersonReplica
from vet_common.projector import ReadModelBatch


class PeopleProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        # One array field per compound index (MongoDB's rule): the jurisdiction keys.
        await db.people.create_index([(JURISDICTIONS, 1), ("status", 1), ("person_id", 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, PersonReplica.Seen | PersonReplica.Updated):
            facts = event.facts
            batch.put(
                "people",
                str(event.originator_id),
                event.originator_version,
                {
                    "person_id": facts["person_id"],
                    "region": event.region,
                    JURISDICTIONS: region_keys(event.region),
                    "status": facts["status"],
                    "categories": list(facts["categories"]),
                    "key_contact_reasons": list(facts["key_contact_reasons"]),
                    "key_contact": bool(facts["key_contact_reasons"]),
                    "birth_year": facts["birth_year"],
                    "sex": facts["sex"],
                    "household": facts["household"],
                    "disability_level": facts["disability_level"],
                    "registry_version": event.registry_version,
                },
            )
