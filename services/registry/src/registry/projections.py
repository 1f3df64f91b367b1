"""Registry read models in MongoDB: the searchable list of people."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from registry.domain import IdNumberClaim, Person
from vet_common.idnumber import mask_id_number
from vet_common.projector import apply_versioned


class RegistryProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.persons.create_index([("region", 1)])
        await db.persons.create_index([("categories", 1)])

    async def apply(self, db: AsyncDatabase[Any], event: Any, position: int) -> None:
        if isinstance(event, Person.Registered):
            await apply_versioned(
                db.persons,
                str(event.originator_id),
                event.originator_version,
                {
                    "name": event.name,
                    "id_number_masked": mask_id_number(event.id_number),
                    "sex": event.sex,
                    "birth_date": event.birth_date.isoformat(),
                    "region": event.region,
                    "categories": list(event.categories),
                    "status": "active",
                    "registered_at": event.timestamp,
                },
            )
        elif isinstance(event, IdNumberClaim.Claimed):
            return
