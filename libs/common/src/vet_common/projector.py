"""Read models in MongoDB built from this service's own notification log, version-guarded, with rebuild."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar, cast, runtime_checkable

from eventsourcing.domain import DomainEventProtocol
from prometheus_client import Gauge
from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from vet_common.eventstore import ServiceApplication
from vet_common.follower import LogBatch, LogConsumer, LogFollower
from vet_common.polling import poll

log = logging.getLogger(__name__)

CHECKPOINTS = "_checkpoints"
DUPLICATE_KEY = 11000
projector_position = Gauge("vet_projector_position", "Last notification id projected", ["service"])


class Projection(Protocol):
    """A service's read models: `setup` creates indexes, `apply` turns one domain event into writes."""

    async def setup(self, db: AsyncDatabase[Any]) -> None: ...

    async def apply(self, batch: ReadModelBatch, event: DomainEventProtocol[Any], position: int) -> None: ...


@runtime_checkable
class QueryIndexes(Protocol):
    """A projection whose indexes serve only the API's queries, never its own reads while it projects.

    A rebuild creates them after the replay: every insert into an indexed collection updates each index
    (SecantusDB spends most of a rebuild there), and one build at the end is cheaper than a million updates.
    """

    async def setup_queries(self, db: AsyncDatabase[Any]) -> None: ...


async def setup_query_indexes(projection: Projection, db: AsyncDatabase[Any]) -> None:
    if isinstance(projection, QueryIndexes):
        await projection.setup_queries(db)


class FlushStep(Protocol):
    """Writes of a projection's own that a batch makes once, after its puts (counters summed over the batch)."""

    async def flush(self, db: AsyncDatabase[Any]) -> None: ...


StepT = TypeVar("StepT", bound=FlushStep)


class ReadModelBatch:
    """The version-guarded writes of a batch of events, sent as one bulk write per collection.

    Documents hold the state of their aggregate (fields are `$set`), so several events of one aggregate in
    a batch become one write: from the version before the first to the last. Round trips, not documents,
    are what a projection spends its time on.
    """

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.db = db  # for reads a projection needs
        self.pending: dict[tuple[str, Any], tuple[int, int, dict[str, Any]]] = {}
        self.denormalised: list[tuple[Any, ...]] = []
        # collection -> member -> (the group it is in now, the groups it left, the group's fields)
        # collection -> tally document -> (its fields, position -> increments of the event at that position)
        self.tallies: dict[str, dict[Any, tuple[dict[str, Any], dict[int, dict[str, int]]]]] = {}
        # collection -> member id -> (its entry, the groups it is in now: group id -> the group's fields)
        self.steps: dict[str, FlushStep] = {}
        # (collection, document) -> [amount to add to its `n`, fields it is created with]; written last
        self.counts: dict[tuple[str, Any], list[Any]] = {}

    def step(self, name: str, make: Callable[[], StepT]) -> StepT:
        """The batch's step `name` (made by `make` on first use): a projection hands it the batch's events and
        it writes them at flush, after the puts, in one go."""
        if name not in self.steps:
            self.steps[name] = make()
        return cast(StepT, self.steps[name])

    def set_where(self, collection: str, query: dict[str, Any], fields: dict[str, Any]) -> None:
        """Copy current values into documents of another aggregate (idempotent; applied after `put`s)."""
        self.denormalised.append((collection, query, {"$set": fields}))

    def tally(
        self, collection: str, doc_id: Any, position: int, increments: Mapping[str, int], fields: Mapping[str, Any]
    ) -> None:
        """Add `increments` to a tally document (created with `fields` if new) for the event at `position`.

        Replay-safe: a tally keeps the last position it counted, and the flush skips events at or before it, so a batch
        applied again (a replay, a checkpoint lost after the write) does not count twice. Counts kept this way
        make progress figures a lookup of one document, not a count over a collection.
        """
        _, by_position = self.tallies.setdefault(collection, {}).setdefault(doc_id, (dict(fields), {}))
        counted = by_position.setdefault(position, {})
        for name, amount in increments.items():
            counted[name] = counted.get(name, 0) + amount

    def count(self, collection: str, doc_id: Any, amount: int, fields: Mapping[str, Any] | None = None) -> None:
        """Add `amount` to the document's `n` (created at 0, with `fields`). NOT replay-safe: a batch applied
        twice (a crash before its checkpoint) counts twice, so only for estimates nothing depends on for
        correctness (how densely a list is filled, to size its queries); a rebuild makes them exact again."""
        entry = self.counts.setdefault((collection, doc_id), [0, dict(fields or {})])
        entry[0] += amount

    def put(self, collection: str, doc_id: Any, version: int, fields: Mapping[str, Any]) -> None:
        key = (collection, doc_id)
        if key in self.pending:
            first, _, merged = self.pending[key]
            self.pending[key] = (first, version, {**merged, **fields})
        else:
            self.pending[key] = (version, version, dict(fields))

    async def flush(self) -> None:
        by_collection: dict[str, list[tuple[Any, int, int, dict[str, Any]]]] = {}
        for (collection, doc_id), (first, last, fields) in self.pending.items():
            by_collection.setdefault(collection, []).append((doc_id, first, last, fields))
        for collection, writes in by_collection.items():
            await self._write(self.db[collection], writes)
        for collection, query, update in self.denormalised:
            await self.db[collection].update_many(query, update)
        for collection, tallies in self.tallies.items():
            await _tally(self.db[collection], tallies)
        for step in self.steps.values():
            await step.flush(self.db)
        counted: dict[str, list[Any]] = {}
        for (collection, doc_id), (amount, fields) in self.counts.items():
            if amount:
                update = {"$inc": {"n": amount}, **({"$setOnInsert": fields} if fields else {})}
                counted.setdefault(collection, []).append(UpdateOne({"_id": doc_id}, update, upsert=True))
        for collection, updates in counted.items():
            await self.db[collection].bulk_write(updates, ordered=False)
        self.pending.clear()
        self.tallies.clear()
        self.denormalised.clear()
        self.steps.clear()
        self.counts.clear()

    async def _write(
        self, collection: AsyncCollection[Any], writes: list[tuple[Any, int, int, dict[str, Any]]]
    ) -> None:
        operations: list[Any] = [
            InsertOne({"_id": doc_id, **fields, "version": last})
            if first == 1
            else UpdateOne({"_id": doc_id, "version": first - 1}, {"$set": {**fields, "version": last}})
            for doc_id, first, last, fields in writes
        ]
        try:
            result = await collection.bulk_write(operations, ordered=False)
            complete = result.matched_count == sum(1 for _, first, _, _ in writes if first > 1)
        except BulkWriteError as error:
            if any(e.get("code") != DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                raise
            complete = False
        if not complete:  # a replay, or a batch cut differently last time: settle document by document
            for doc_id, first, last, fields in writes:
                await settle(collection, doc_id, first, last, fields)


async def _tally(
    collection: AsyncCollection[Any], tallies: dict[Any, tuple[dict[str, Any], dict[int, dict[str, int]]]]
) -> None:
    counted = {
        doc["_id"]: doc.get("position", 0)
        async for doc in collection.find({"_id": {"$in": list(tallies)}}, {"position": 1})
    }
    operations: list[Any] = []
    for doc_id, (fields, by_position) in tallies.items():
        after = counted.get(doc_id, 0)
        increments: dict[str, int] = {}
        for position, amounts in by_position.items():
            if position > after:
                for name, amount in amounts.items():
                    increments[name] = increments.get(name, 0) + amount
        if increments:
            last = max(by_position)
            # The fields only on creation: rewriting them (and their index entries) on every count is waste.
            update = {"$inc": increments, "$set": {"position": last}, "$setOnInsert": fields}
            operations.append(UpdateOne({"_id": doc_id}, update, upsert=True))
    if operations:
        await collection.bulk_write(operations, ordered=False)


async def settle(collection: AsyncCollection[Any], doc_id: Any, first: int, last: int, fields: dict[str, Any]) -> None:
    """Bring one document to `last` unless it is there already; refuse to skip versions."""
    current = await collection.find_one({"_id": doc_id}, {"version": 1})
    if current is None:
        if first != 1:
            raise RuntimeError(f"read model {collection.name}/{doc_id} is missing versions before {first}")
        await collection.insert_one({"_id": doc_id, **fields, "version": last})
    elif current["version"] < first - 1:
        raise RuntimeError(f"read model {collection.name}/{doc_id} is missing versions before {first}")
    elif current["version"] < last:
        await collection.update_one(
            {"_id": doc_id, "version": current["version"]}, {"$set": {**fields, "version": last}}
        )


async def apply_versioned(
    collection: AsyncCollection[Any],
    doc_id: Any,
    version: int,
    fields: Mapping[str, Any],
) -> bool:
    """Apply an aggregate's event to its document only if it is the next version: replays never double-count.

    Version 1 creates the document; version n updates the document that reflects version n-1.
    Returns False when the document already reflects this version (a replay).
    """
    if version == 1:
        try:
            await collection.insert_one({"_id": doc_id, "version": 1, **fields})
        except DuplicateKeyError:
            return False
        return True
    result = await collection.update_one(
        {"_id": doc_id, "version": version - 1}, {"$set": {**fields, "version": version}}
    )
    if result.matched_count:
        return True
    current = await collection.find_one({"_id": doc_id}, {"version": 1})
    if current is None or current["version"] < version - 1:
        raise RuntimeError(f"read model {collection.name}/{doc_id} is missing versions before {version}")
    return False


class Projector:
    def __init__(
        self,
        app: ServiceApplication,
        db: AsyncDatabase[Any],
        projection: Projection,
        batch_size: int = 500,
        follower: LogFollower | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.projection = projection
        self.batch_size = batch_size
        self.service = app.settings.service
        # The worker's follower is shared with the relay; alone (rebuild, verify, tests) it has its own.
        self.follower = follower or LogFollower(app)
        self.consumer = LogConsumer("projector", self.position, self.project, batch_size)

    async def position(self) -> int:
        doc = await self.db[CHECKPOINTS].find_one({"_id": "projector"})
        return int(doc["position"]) if doc else 0

    async def run_once(self) -> int:
        """Project the next batch; return how many notifications it covered."""
        return await self.follower.run_once(self.consumer)

    async def project(self, log_batch: LogBatch) -> None:
        batch = ReadModelBatch(self.db)
        for notification_id, event in log_batch.entries:
            await self.projection.apply(batch, event, notification_id)
        await batch.flush()
        last = log_batch.position
        # The checkpoint only saves work: the version guard makes re-applying a batch harmless.
        await self.db[CHECKPOINTS].update_one({"_id": "projector"}, {"$set": {"position": last}}, upsert=True)
        projector_position.labels(self.service).set(last)

    async def run(self, stop: asyncio.Event, poll_interval: float) -> None:
        await self.projection.setup(self.db)
        await setup_query_indexes(self.projection, self.db)
        log.info("projector for %s started at %s", self.service, await self.position())
        await poll("projector", self.run_once, stop, poll_interval)

    async def rebuild(self, show_progress: bool = True) -> int:
        """Drop every read model and replay the whole notification log. Returns events replayed.

        Nothing else may write into `db` meanwhile: `vet rebuild` holds the worker's leader lock for it
        (entrypoint.rebuild), `vet verify` replays into a scratch database of its own."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        await self.db.client.drop_database(self.db.name)
        await self.projection.setup(self.db)
        total = await asyncio.to_thread(self.app.process_recorder.max_notification_id) or 0
        done = 0
        with Progress(
            TextColumn(f"rebuilding {self.service} read models"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            disable=not show_progress,
        ) as progress:
            task = progress.add_task("replay", total=total)
            while True:
                before = await self.position()
                count = await self.run_once()
                if not count:
                    break
                done += count
                progress.update(task, completed=await self.position() or before)
        await setup_query_indexes(self.projection, self.db)
        return done
