"""Read model of who is due for contact (`schedules`) and of the contact rules in force (`contact_rules`).

One document per person with a contact file, holding the facts the rules need and the dates they give: the
next contact, the next home visit, and `due_slot` = "<the earlier of the two>|<person id>" while the person is
a living key contact (None otherwise, so they leave every list). `unpaired_slot` = "<UNDATED>|<person id>" while
such a person has no pairing. Both sit in a compound index after the jurisdiction keys, so the due,
overdue and unpaired lists are index ranges read in narrow windows (queries/windows.py).

A change of the rules recomputes every key contact's dates at once (one read and one bulk write of the key
contacts, a few seconds for 40,000): rules change seldom, lists are read all day.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.rules import ContactRules, RuleTable, due_dates
from outreach.domain.schedule import ContactFile
from outreach.projections.history import state_before
from outreach.queries.windows import MONTHS, UNDATED, day_key, month_of, slot
from vet_common.eventstore import ServiceApplication
from vet_common.jurisdiction import JURISDICTIONS, region_keys
from vet_common.projector import ReadModelBatch
from vet_common.states import AggregateStates

RULES_ID = "rules"
DAY_COUNTS = "day_counts"
# The lists kept in `schedules` with day counts to plan their windows, and their key field.
LISTS = (("due", "due_slot"),)
# Counted for the province, cities and counties: a township's list (tens of key contacts) is walked without
# counts, and a count costs the projector an upsert per jurisdiction key and day a batch touches (in steady
# state few: a batch's contacts move people from a few due days to the same one).
COUNTED_UP_TO = 6


def due_fields(doc: dict[str, Any], table: RuleTable) -> dict[str, Any]:
    """The dates and list keys of one person under `table`, from the facts in their document."""
    if not doc["under_rules"]:
        return {"rule": None, "contact_due": None, "home_visit_due": None, "due_slot": None, "unpaired_slot": None}
    interval = table.interval_for(doc["region"], doc["key_contact_reasons"], doc["disability_level"])
    since = date.fromisoformat(doc["key_contact_since"])
    last_contact, last_visit = (
        date.fromisoformat(d) if d else None for d in (doc["last_contact"], doc["last_home_visit"])
    )
    due = due_dates(interval, since, last_contact, last_visit)
    return {
        "rule": {
            "version": table.version,
            "contact_days": interval.contact_days,
            "home_visit_days": interval.home_visit_days,
        },
        "contact_due": due.contact.isoformat(),
        "home_visit_due": due.home_visit.isoformat(),
        "due_slot": slot(due.next, doc["person_id"]),
        # By person id alone (random, so evenly spread): everyone designated on one day would be one dense day.
        "unpaired_slot": None if doc["pairing_id"] else slot(UNDATED, doc["person_id"]),
    }


def facts_of(file: ContactFile) -> dict[str, Any]:
    return {
        "person_id": file.person_id,
        "region": file.region,
        JURISDICTIONS: region_keys(file.region),
        "key_contact_reasons": file.key_contact_reasons,
        "disability_level": file.disability_level,
        "living": file.living,
        "under_rules": file.under_rules,
        "key_contact_since": file.key_contact_since.isoformat() if file.key_contact_since else None,
        "last_contact": file.last_contact.isoformat() if file.last_contact else None,
        "last_home_visit": file.last_home_visit.isoformat() if file.last_home_visit else None,
        "pairing_id": file.pairing[0] if file.pairing else None,
        "staff": file.pairing[1] if file.pairing else None,
    }


class ScheduleProjection:
    def __init__(self, application: ServiceApplication | None) -> None:
        # A file's state after each event comes from the event store: its events carry only the change.
        self.states = AggregateStates(application) if application is not None else None
        self.table: RuleTable | None = None

    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.schedules.create_index([(JURISDICTIONS, 1), ("due_slot", 1)])
        await db.schedules.create_index([(JURISDICTIONS, 1), ("unpaired_slot", 1)])
        # Read by list and day range: SecantusDB does not narrow a range on _id by its index.
        await db[DAY_COUNTS].create_index([("list", 1), ("day", 1)])

    def _before(self, event: Any) -> ContactFile | None:
        return state_before(self.states, event) if self.states is not None else None

    async def rules(self, db: AsyncDatabase[Any]) -> RuleTable:
        if self.table is None:
            self.table = await rules_in_force(db)
        return self.table

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, ContactFile.Event) and self.states is not None:
            table = await self.rules(batch.db)
            before = await asyncio.to_thread(self._before, event)
            old = {**facts_of(before), **due_fields(facts_of(before), table)} if before else None
            doc = facts_of(await asyncio.to_thread(self.states.after, event))
            fields = {**doc, **due_fields(doc, table)}
            batch.put("schedules", str(event.originator_id), event.originator_version, fields)
            for name, field in LISTS:
                move(batch, name, old, fields, field)
        elif isinstance(event, ContactRules.Configured | ContactRules.Changed):
            self.table = RuleTable.from_state(event.originator_version, event.entries, event.severe_disability)
            batch.put(
                "contact_rules",
                RULES_ID,
                event.originator_version,
                {"entries": event.entries, "severe_disability": event.severe_disability},
            )
            await batch.flush()  # every file change before this one is written, so none is recomputed stale
            await recompute(batch.db, self.table)


async def rules_in_force(db: AsyncDatabase[Any]) -> RuleTable:
    doc = await db.contact_rules.find_one({"_id": RULES_ID})
    if doc is None:
        return RuleTable(version=0)
    return RuleTable.from_state(doc["version"], doc["entries"], doc["severe_disability"])


async def recompute(db: AsyncDatabase[Any], table: RuleTable, chunk: int = 2000) -> None:
    """Every key contact's dates under `table`, and the day counts of both lists afresh (exact again)."""
    docs = await db.schedules.find({"under_rules": True}).to_list()
    updates = []
    counts: dict[tuple[str, str], int] = {}
    for doc in docs:
        fields = due_fields(doc, table)
        updates.append(UpdateOne({"_id": doc["_id"]}, {"$set": fields}))
        for name, field in LISTS:
            for key in day_keys(name, {**doc, **fields}, field):
                counts[key] = counts.get(key, 0) + 1
    for start in range(0, len(updates), chunk):
        await db.schedules.bulk_write(updates[start : start + chunk], ordered=False)
    await db[DAY_COUNTS].delete_many({})
    if counts:
        await db[DAY_COUNTS].insert_many(
            [{"_id": day_key(listed, day), "list": listed, "day": day, "n": n} for (listed, day), n in counts.items()]
        )


def day_keys(name: str, doc: dict[str, Any] | None, field: str) -> list[tuple[str, str]]:
    """The counts `doc` adds one to in list `name`: its day and its month under each counted jurisdiction key."""
    if doc is None or not doc.get(field):
        return []
    day = doc[field].partition("|")[0]
    keys = [key for key in doc[JURISDICTIONS] if len(key) <= COUNTED_UP_TO]
    return [(f"{name}|{key}", day) for key in keys] + [(f"{name}|{key}{MONTHS}", month_of(day)) for key in keys]


def move(batch: ReadModelBatch, name: str, old: dict[str, Any] | None, new: dict[str, Any], field: str) -> None:
    before, after = set(day_keys(name, old, field)), set(day_keys(name, new, field))
    for listed, day in before - after:
        batch.count(DAY_COUNTS, day_key(listed, day), -1, {"list": listed, "day": day})
    for listed, day in after - before:
        batch.count(DAY_COUNTS, day_key(listed, day), 1, {"list": listed, "day": day})
