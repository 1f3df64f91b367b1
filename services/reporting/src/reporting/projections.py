"""Reporting read models, projected from the audit archive (reporting's own notification log).

- `audit`: one document per archived event, for the auditors' searches.
- `counters`: the figures of one topic and region prefix for one year (the year, its quarters and months) or
  for all time, kept by the projector as events arrive; a province-wide figure is a document or two, its
  breakdown as many per city. (A document per year rather than per period: an event in a village writes two
  documents there, not four.)
- `subjects`: each counted subject's standing, so its next event moves it rather than counting it again.
- `day_starts`: a counter document as it stood at the start of a day (China) on which it changed, written at
  its first change that day, so that the figures at the end of any ended day are a read (reporting.day_ends).
- `progress`: how far the counters have counted the archive (position and arrival day).
- `seals`: the archive's seals (what GET /audit/verify reports as sealed).

Counters are not idempotent by themselves ($inc), so each document keeps the last archive position it
counted: a batch adds to a document only the events after that, and so a replay never counts twice. Each
also keeps `since` and `day`, the arrival days (China) of the first and the last archived events that changed it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import InsertOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from reporting.domain.archive import ArchiveSealed, EntryArchived
from reporting.domain.reports import ReportApproval
from reporting.statistics import FAMILIES
from reporting.statistics.family import Family
from reporting.statistics.periods import china_day
from reporting.statistics.tally import CounterKey, SubjectState, Tally, bucket_of, counter_id, parent_key
from vet_common.jurisdiction import region_keys
from vet_common.projector import ReadModelBatch


def counter_document(
    key: CounterKey, counts: Mapping[str, int], position: int, since: str | None = None, day: str | None = None
) -> dict[str, Any]:
    """`counts` keyed "period.dimension.value": nested as counts[period][dimension][value]. `since` and `day`:
    the arrival days of its first and last change (None: built without the archive's days, as-of replays)."""
    topic, bucket, region = key
    return {
        "_id": counter_id(key),
        "topic": topic,
        "bucket": bucket,
        "region": region,
        "parent": parent_key(region),
        "counts": nest(counts),
        "position": position,
        **({"since": since, "day": day} if since and day else {}),
    }


def nest(counts: Mapping[str, int]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for name, amount in counts.items():
        target = nested
        *path, last = name.split(".")
        for part in path:
            target = target.setdefault(part, {})
        target[last] = amount
    return nested


def flatten(counts: Mapping[str, Any], prefix: str = "") -> dict[str, int]:
    flat: dict[str, int] = {}
    for name, value in counts.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = int(value)
    return flat


Change = tuple[int, str, dict[str, int]]  # archive position, its arrival day (ISO), what it adds to a document
PROGRESS = "counters"  # the `progress` document of the counters


class CounterStep:
    """One batch's archived events, counted at flush: subjects loaded once, counters written once each."""

    def __init__(self, families: Sequence[Family]) -> None:
        self.families = families
        self.entries: list[tuple[int, Mapping[str, Any], str]] = []  # position, envelope, arrival day

    async def flush(self, db: AsyncDatabase[Any]) -> None:
        tally = Tally(self.families)
        asked: set[str] = set()
        entries = [envelope for _, envelope, _ in self.entries]
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
        per_counter: dict[CounterKey, list[Change]] = defaultdict(list)
        before = {key: state.position for key, state in tally.subjects.items()}
        progress = await db.progress.find_one({"_id": PROGRESS}) or {}
        day = progress.get("day") or ""
        for position, envelope, arrived in self.entries:
            # The archive's days as "as of" reads them: an entry stamped earlier than one before it (clocks of two
            # workers) arrived, for the figures of a day, with that one.
            day = max(day, arrived)
            per_document: dict[CounterKey, dict[str, int]] = defaultdict(dict)
            for (topic, period, region), counts in tally.apply(envelope, position).items():
                target = per_document[(topic, bucket_of(period), region)]
                target.update({f"{period}.{name}": amount for name, amount in counts.items()})
            for key, counts in per_document.items():
                per_counter[key].append((position, day, counts))
        touched = {key for key, state in tally.subjects.items() if state.position != before.get(key)}
        await self._write_counters(db, per_counter)
        if self.entries:
            await db.progress.update_one(
                {"_id": PROGRESS}, {"$max": {"position": self.entries[-1][0], "day": day}}, upsert=True
            )
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

    async def _write_counters(self, db: AsyncDatabase[Any], per_counter: dict[CounterKey, list[Change]]) -> None:
        if not per_counter:
            return
        ids = {counter_id(key): key for key in per_counter}
        live = {
            doc["_id"]: doc async for doc in db.counters.find({"_id": {"$in": sorted(ids)}}, {"position": 1, "day": 1})
        }
        fresh: dict[str, list[Change]] = {}
        for doc_id, key in ids.items():
            counted = live[doc_id]["position"] if doc_id in live else 0
            if changes := [change for change in per_counter[key] if change[0] > counted]:
                fresh[doc_id] = changes
        # Documents changing on a day after their last change: their counts now are that day's start.
        turning = sorted(
            doc_id for doc_id, changes in fresh.items() if live.get(doc_id, {}).get("day") not in (None, changes[-1][1])
        )
        counts_now = (
            {
                doc["_id"]: flatten(doc["counts"])
                async for doc in db.counters.find({"_id": {"$in": turning}}, {"counts": 1})
            }
            if turning
            else {}
        )
        images: list[dict[str, Any]] = []
        operations: list[Any] = []
        for doc_id, changes in fresh.items():
            summed: dict[str, int] = defaultdict(int)
            for _, _, counts in changes:
                for name, amount in counts.items():
                    summed[name] += amount
            last, day = changes[-1][0], changes[-1][1]
            doc = live.get(doc_id)
            if doc is None:
                images += day_starts(doc_id, {}, 0, changes[0][1], changes)
                operations.append(InsertOne(counter_document(ids[doc_id], summed, last, changes[0][1], day)))
                continue
            if doc_id in counts_now:
                images += day_starts(doc_id, counts_now[doc_id], doc["position"], doc["day"], changes)
            operations.append(
                UpdateOne(
                    {"_id": doc_id, "position": doc["position"]},
                    {
                        "$inc": {f"counts.{name}": amount for name, amount in summed.items()},
                        "$set": {"position": last, "day": day},
                    },
                )
            )
        # Before the counters: a crash between the two writes the same images again from the same counts.
        if images:
            await db.day_starts.bulk_write(
                [ReplaceOne({"_id": image["_id"]}, image, upsert=True) for image in images], ordered=False
            )
        if operations:
            await db.counters.bulk_write(operations, ordered=False)


def day_starts(
    doc_id: str, counts: Mapping[str, int], position: int, day: str, changes: list[Change]
) -> list[dict[str, Any]]:
    """A counter document's images at the start of each day after `day` (when it last changed, holding `counts` at
    archive `position`) on which `changes` change it; the first of a month's also under the month's id."""
    images: list[dict[str, Any]] = []
    state = dict(counts)
    for at, changed_on, change in changes:
        if changed_on != day:
            image = {"counter": doc_id, "day": changed_on, "position": position, "counts": nest(state)}
            images.append({"_id": f"{doc_id}@{changed_on}", **image})
            if changed_on[:7] != day[:7]:
                images.append({"_id": f"{doc_id}@{changed_on[:7]}", **image})
            day = changed_on
        for name, amount in change.items():
            state[name] = state.get(name, 0) + amount
        position = at
    return images


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
            arrived = china_day(event.timestamp).isoformat()
            batch.step("counters", lambda: CounterStep(self.families)).entries.append(
                (event.position, envelope, arrived)
            )
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
