"""Read model of pairings (`pairings`): by staff member (a caseload), by jurisdiction, and the proposals a
transfer leaves for the receiving side.

`open_slot` = "<started on>|<person id>" while the pairing is open and `proposal_slot` = "<ended on>|<person
id>" while a transferred person waits for a pairing on the receiving side (under `proposal_jurisdictions`, the
receiving region's keys); both are walked in windows (queries/windows.py).
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.pairings import EndReason, Pairing
from outreach.queries.windows import slot
from vet_common.jurisdiction import JURISDICTIONS, region_keys
from vet_common.projector import ReadModelBatch

PROPOSALS = "proposal_jurisdictions"


class PairingsProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.pairings.create_index([("staff", 1), ("status", 1)])
        await db.pairings.create_index([(JURISDICTIONS, 1), ("open_slot", 1)])
        await db.pairings.create_index([(PROPOSALS, 1), ("proposal_slot", 1)])
        await db.pairings.create_index([("person_id", 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, Pairing.Started):
            batch.put(
                "pairings",
                str(event.originator_id),
                event.originator_version,
                {
                    "person_id": event.person_id,
                    "region": event.region,
                    JURISDICTIONS: region_keys(event.region),
                    "staff": event.staff,
                    "status": "open",
                    "started_on": event.started_on.isoformat(),
                    "ended_on": None,
                    "end_reason": None,
                    "proposed_to": None,
                    PROPOSALS: [],
                    "open_slot": slot(event.started_on, event.person_id),
                    "proposal_slot": None,
                },
            )
            # The person is paired again: a proposal a transfer left for them is settled.
            # (Another pairing's: set_where runs after the batch's puts, which may have ended this one already.)
            settled = {"person_id": event.person_id, "status": "ended", "_id": {"$ne": str(event.originator_id)}}
            batch.set_where("pairings", settled, {"proposal_slot": None})
        elif isinstance(event, Pairing.Ended):
            proposed = event.reason == EndReason.transferred and event.proposed_to
            batch.put(
                "pairings",
                str(event.originator_id),
                event.originator_version,
                {
                    "status": "ended",
                    "ended_on": event.ended_on.isoformat(),
                    "end_reason": event.reason,
                    "proposed_to": event.proposed_to,
                    PROPOSALS: region_keys(event.proposed_to) if proposed and event.proposed_to else [],
                    "open_slot": None,
                    "proposal_slot": slot(event.ended_on, event.person_id) if proposed else None,
                },
            )
