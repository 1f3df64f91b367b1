"""Reporting read models, projected from the audit archive (reporting's own notification log).

- `audit`: one document per archived event, for the auditors' searches.
- `counters`: the figures of one topic and region prefix for one year (the year, its quarters and months) or
  for all time, kept by the projector as events arrive; a province-wide figure is a document or two, its
  breakdown as many per city. (A document per year rather than per period: an event in a village writes two
  documents there, not four.)
- `subjects`: each counted subject's standing, so its next event moves it rather than counting it again.
- `seals`: the archive's seals (what GET /audit/verify reports as sealed).

Counters are not idempotent by themselves ($inc), so each document keeps the last archive position it
counted: a batch adds to a document only the events after that, and so a replay never counts twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from reporting.domain.archive import ArchiveSealed, EntryArchived
from reporting.domain.reports import ReportApproval
from reporting.statistics import FAMILIES
from reporting.statistics.family import Family
from reporting.statistics.tally import CounterKey, SubjectState, Tally, bucket_of, counter_id, parent_key
from vet_common.jurisdiction import region_keys
from vet_common.projector import ReadModelBatch


def counter_document(key: CounterKey, counts: Mapping[str, int], position: int) -> dict[str, Any]:
    """`counts` keyed "period.dimension.value": nested as counts[period][dimension][value]."""
    topic, bucket, region = key
    nested: dict[str, Any] = {}
    for name, amount in counts.items():
        target = nested
        *path, last = name.split(".")
        for part in path:
            target = target.setdefault(part, {})
        target[last] = amount
    return {
        "_id": counter_id(key),
        "topic": topic,
        "bucket": bucket,
        "region": region,
        "parent": parent_key(region),
        "counts": nested,
        "position": position,
    }


def flatten(counts: Mapping[str, Any], prefix: str = "") -> dict[str, int]:
    flat: dict[str, int] = {}
    for name, value in counts.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = int(value)
    return flat


class CounterStep:
    """One batch's archived events, counted at flush: subjects loaded once, counters written once each."""

    def __init__(self, families: Sequence[Family]) -> None:
        self.families = families
        self.entries: list[tuple[int, Mapping[str, Any]]] = []

    async def flush(self, db: AsyncDatabase[Any]) -> None:
        tally = Tally(self.families)
        asked: set[str] = set()
        entries = [envelope for _, envelope in self.entries]
        # Rounds until nothing new is wanted: a note may name other subjects (a contact, the quarter it is in);
        # after the first round only the events whose subjects depend on notes are asked again.
        while wanted := set().union(*(tally.subjects_of(envelope) for envelope in entries)) - asked:
            asked |= wanted
            entries = [envelope for envelope in entries if envelope["type"] in tally.chained_types]
            async for doc in db.subjects.find({"_id": {"$in": sorted(wanted)}}):
                tally.subjects[doc["_id"]] = SubjectState(
                    doc["region"],
                    {name: amount for name, amount in doc["counts"]},
                    doc["position"],
                    doc.get("day"),
                    doc.get("part"),
                )
        per_counter: dict[CounterKey, list[tuple[int, dict[str, int]]]] = defaultdict(list)
        before = {key: state.position for key, state in tally.subjects.items()}
        for position, envelope in self.entries:
            per_document: dict[CounterKey, dict[str, int]] = defaultdict(dict)
            for (topic, period, region), counts in tally.apply(envelope, position).items():
                target = per_document[(topic, bucket_of(period), region)]
                target.update({f"{period}.{name}": amount for name, amount in counts.items()})
            for key, counts in per_document.items():
                per_counter[key].append((position, counts))
        touched = {key for key, state in tally.subjects.items() if state.position != before.get(key)}
        await self._write_counters(db, per_counter)
        # After the counters: a crash between the two recounts from the old standings, which the counters'
        # positions then skip; the other way round would lose the change.
        if touched:
            await db.subjects.bulk_write(
                [
                    UpdateOne(
                        {"_id": key},
                        {
                            "$set": {
                                # Pairs, not a document: names like "category.martyr_survivor" hold dots.
                                "counts": sorted([name, amount] for name, amount in state.counts.items()),
                                "region": state.region,
                                "position": state.position,
                                "day": state.day,
                                "part": state.part,
                            }
                        },
                        upsert=True,
                    )
                    for key, state in ((key, tally.subjects[key]) for key in sorted(touched))
                ],
                ordered=False,
            )

    async def _write_counters(
        self, db: AsyncDatabase[Any], per_counter: dict[CounterKey, list[tuple[int, dict[str, int]]]]
    ) -> None:
        if not per_counter:
            return
        ids = {counter_id(key): key for key in per_counter}
        positions = {
            doc["_id"]: doc["position"]
            async for doc in db.counters.find({"_id": {"$in": sorted(ids)}}, {"position": 1})
        }
        operations: list[Any] = []
        for doc_id, key in ids.items():
            counted = positions.get(doc_id, 0)
            summed: dict[str, int] = defaultdict(int)
            last = 0
            for position, counts in per_counter[key]:
                if position <= counted:
                    continue
                last = position
                for name, amount in counts.items():
                    summed[name] += amount
            if not last:
                continue
            if doc_id not in positions:
                operations.append(InsertOne(counter_document(key, summed, last)))
            else:
                operations.append(
                    UpdateOne(
                        {"_id": doc_id, "position": counted},
                        {
                            "$inc": {f"counts.{name}": amount for name, amount in summed.items()},
                            "$set": {"position": last},
                        },
                    )
                )
        if operations:
            await db.counters.bulk_write(operations, ordered=False)


class ReportingProjection:
    def __init__(self, families: Sequence[Family] = FAMILIES) -> None:
        self.families = families

    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.counters.create_index([("topic", 1), ("bucket", 1), ("parent", 1)])
        await db.reports.create_index([("jurisdictions", 1), ("period", 1)])

    async def setup_queries(self, db: AsyncDatabase[Any]) -> None:
        # The audit search's indexes: nothing reads them while projecting, so a rebuild builds them at the end.
        await db.audit.create_index([("jurisdictions", 1), ("position", -1)])
        await db.audit.create_index([("aggregate_id", 1), ("position", -1)])
        await db.audit.create_index([("actor", 1), ("position", -1)])
        await db.audit.create_index([("type", 1), ("jurisdictions", 1), ("position", -1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, EntryArchived):
            envelope = event.envelope
            batch.put("audit", event.position, 1, audit_document(event))
            batch.step("counters", lambda: CounterStep(self.families)).entries.append((event.position, envelope))
        elif isinstance(event, ArchiveSealed):
            batch.put(
                "seals",
                event.originator_version,
                1,
                {"position": event.position, "sealed_at": event.timestamp, "head_hash": event.head_hash},
            )
        elif isinstance(event, ReportApproval.Event):
            batch.put("reports", str(event.originator_id), event.originator_version, event.read_model_fields())


def audit_document(entry: EntryArchived) -> dict[str, Any]:
    envelope = entry.envelope
    return {
        "position": entry.position,
        "event_id": envelope["event_id"],
        "type": envelope["type"],
        "source": envelope["source"],
        "aggregate_id": envelope["aggregate_id"],
        "actor": envelope["actor"]["sub"],
        "actor_role": envelope["actor"]["role"],
        "region": envelope["region"],
        "jurisdictions": region_keys(envelope["region"]),
        "occurred_at": datetime.fromisoformat(envelope["occurred_at"]),
        "source_position": envelope["source_position"],
        "aggregate_version": envelope["aggregate_version"],
        "data": envelope["data"],
        "archived_at": entry.timestamp,
        "hash": entry.hash,
        "previous_hash": entry.previous_hash,
    }
