"""Reporting read models, projected from the audit archive: one document per upstream record."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from reporting.contract import KIND_BY_TYPE
from reporting.domain import ArchivedRecord
from vet_common.jurisdiction import region_keys
from vet_common.projector import ReadModelBatch


class ReportingProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.records.create_index([("jurisdictions", 1), ("kind", 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        record_id = str(event.originator_id)
        if isinstance(event, ArchivedRecord.Opened):
            batch.put(
                "records",
                record_id,
                event.originator_version,
                {"aggregate_id": event.aggregate_id, "source": event.source, "kind": None, "region": None},
            )
        elif isinstance(event, ArchivedRecord.EventArchived):
            envelope = event.envelope
            fields: dict[str, Any] = {
                "region": envelope["region"],
                "jurisdictions": region_keys(envelope["region"]),
                "last_type": envelope["type"],
            }
            if envelope["type"] in KIND_BY_TYPE:
                fields["kind"] = KIND_BY_TYPE[envelope["type"]]
            batch.put("records", record_id, event.originator_version, fields)


async def count_by_kind(db: AsyncDatabase[Any], region_prefix: str) -> dict[str, int]:
    counts = {kind: 0 for kind in KIND_BY_TYPE.values()}
    cursor = await db.records.aggregate(
        [
            {"$match": {"jurisdictions": region_prefix, "kind": {"$ne": None}}},
            {"$group": {"_id": "$kind", "n": {"$sum": 1}}},
        ]
    )
    async for row in cursor:
        counts[row["_id"]] = row["n"]
    return counts
