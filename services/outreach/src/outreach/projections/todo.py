"""Read model of the station's to-do list (`todo`): open items keyed "<due on>|<person id>" by jurisdiction."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.todo import CANCELLED, DONE, OPEN, TodoItem
from outreach.queries.windows import slot
from vet_common.jurisdiction import JURISDICTIONS, region_keys
from vet_common.projector import ReadModelBatch


class TodoProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.todo.create_index([(JURISDICTIONS, 1), ("open_slot", 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, TodoItem.Raised):
            batch.put(
                "todo",
                str(event.originator_id),
                event.originator_version,
                {
                    "person_id": event.person_id,
                    "region": event.region,
                    JURISDICTIONS: region_keys(event.region),
                    "kind": event.kind,
                    "occasion": event.occasion,
                    "due_on": event.due_on.isoformat(),
                    "status": OPEN,
                    "open_slot": slot(event.due_on, event.person_id),
                },
            )
        elif isinstance(event, TodoItem.Done):
            batch.put(
                "todo",
                str(event.originator_id),
                event.originator_version,
                {"status": DONE, "done_on": event.done_on.isoformat(), "open_slot": None},
            )
        elif isinstance(event, TodoItem.Moved):
            moved = {"region": event.region, JURISDICTIONS: region_keys(event.region)}
            batch.put("todo", str(event.originator_id), event.originator_version, moved)
        elif isinstance(event, TodoItem.Cancelled):
            cancelled = {"status": CANCELLED, "cancelled_on": event.cancelled_on.isoformat(), "open_slot": None}
            batch.put("todo", str(event.originator_id), event.originator_version, cancelled)
