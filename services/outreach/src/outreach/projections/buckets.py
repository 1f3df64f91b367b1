"""Groups of members kept in fixed-size buckets (分桶): a group's entries spread over documents of at most
`capacity` entries, so a write never touches a document that grows with the group.

SecantusDB rewrites a whole document to push into its array, and the cost grows faster than its size (pushing one
entry took 2.6 ms into 25 entries, 7 ms into 100, 42 ms into 400): a township's facet that held everyone in it
slowed the projector as the township filled. A group's buckets are `<group>:<n>`, each holding `group`, its
number, its `size` and the group's fields, so a reader asking for the group's fields gets every bucket of it.

A batch reads where its members are (by the multikey index on `entries.id`) and the sizes of the buckets of the
groups they join (by `group`), then pulls each member from its buckets and pushes its last entry: into the
bucket of the group it was in already, else the first with room, else a new one. Reading first makes a replayed
batch harmless: it finds the members where the first run left them. Sizes change in the same update as the
entries, so they stay exact. A bucket left empty is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pymongo import DeleteOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

# Entries a bucket holds: a push into 100 cost SecantusDB about 7 ms, and a group of a few dozen stays one
# document for its reader.
CAPACITY = 100


@dataclass
class Bucket:
    id: str
    group: str
    number: int
    size: int
    fields: Mapping[str, Any] | None = None  # a new bucket's: the group's fields, set when it is created
    leaving: list[Any] = field(default_factory=list)
    joining: list[dict[str, Any]] = field(default_factory=list)


class BucketedGroups:
    """A batch's step (`ReadModelBatch.step`): the groups its members are now in, written at its flush."""

    def __init__(self, collection: str, capacity: int = CAPACITY) -> None:
        self.collection = collection
        self.capacity = capacity
        # member -> (its entry, the groups it is in now: group -> the group's fields); the last move counts
        self.moves: dict[Any, tuple[dict[str, Any], Mapping[str, Mapping[str, Any]]]] = {}

    def move(self, member: Any, entry: Mapping[str, Any], groups: Mapping[str, Mapping[str, Any]]) -> None:
        """`member` is now in exactly `groups`, as `entry` (which holds it under `id`)."""
        self.moves[member] = ({**entry, "id": member}, groups)

    async def flush(self, db: AsyncDatabase[Any]) -> None:
        if not self.moves:
            return
        collection = db[self.collection]
        buckets, held = await self._read(collection)
        of_group: dict[str, list[Bucket]] = {}
        for bucket in sorted(buckets.values(), key=lambda bucket: bucket.number):
            of_group.setdefault(bucket.group, []).append(bucket)
        for member, (entry, groups) in self.moves.items():
            was: dict[str, Bucket] = {}
            for bucket in held.get(member, ()):
                bucket.leaving.append(member)
                bucket.size -= 1
                was[bucket.group] = bucket
            for group, fields in groups.items():
                bucket = was.get(group) or self._room(of_group.setdefault(group, []), group, fields)
                bucket.joining.append(entry)
                bucket.size += 1
        await _write(collection, [bucket for group_buckets in of_group.values() for bucket in group_buckets])

    async def _read(self, collection: AsyncCollection[Any]) -> tuple[dict[str, Bucket], dict[Any, list[Bucket]]]:
        """The buckets holding the batch's members or of the groups they join; the buckets each member is in."""
        members = list(self.moves)
        joined = sorted({group for _, groups in self.moves.values() for group in groups})
        buckets: dict[str, Bucket] = {}
        held: dict[Any, list[Bucket]] = {}
        moving = set(members)
        shape = {"group": 1, "number": 1, "size": 1}
        async for doc in collection.find({"entries.id": {"$in": members}}, {**shape, "entries.id": 1}):
            bucket = buckets[doc["_id"]] = Bucket(doc["_id"], doc["group"], doc["number"], doc["size"])
            for item in doc["entries"]:
                if item["id"] in moving:
                    held.setdefault(item["id"], []).append(bucket)
        if joined:
            async for doc in collection.find({"group": {"$in": joined}}, shape):
                if doc["_id"] not in buckets:
                    buckets[doc["_id"]] = Bucket(doc["_id"], doc["group"], doc["number"], doc["size"])
        return buckets, held

    def _room(self, group_buckets: list[Bucket], group: str, fields: Mapping[str, Any]) -> Bucket:
        """The group's first bucket with room, else a new one after its last."""
        for bucket in group_buckets:
            if bucket.size < self.capacity:
                return bucket
        number = group_buckets[-1].number + 1 if group_buckets else 0
        bucket = Bucket(f"{group}:{number}", group, number, 0, fields)
        group_buckets.append(bucket)
        return bucket


def bucketed(
    group: str, fields: Mapping[str, Any], entries: list[dict[str, Any]], capacity: int = CAPACITY
) -> list[dict[str, Any]]:
    """The bucket documents of a group holding `entries`, as the flush would leave them filled in one go."""
    return [
        {"_id": f"{group}:{n}", **fields, "group": group, "number": n, "size": len(part), "entries": part}
        for n, part in enumerate(entries[start : start + capacity] for start in range(0, len(entries), capacity))
    ]


async def split_unbucketed(collection: AsyncCollection[Any], capacity: int = CAPACITY) -> int:
    """Documents of a read model written before buckets (one per group, under the group's id) become that group's
    buckets; returns how many. Call it before creating the `group` index, whose absence marks the old shape: a
    worker upgraded without a rebuild then goes on projecting (its flush needs `group`, `number` and `size`)."""
    indexes = (await collection.index_information()).values()
    if any([tuple(key) for key in info["key"]] == [("group", 1)] for info in indexes):
        return 0
    split = 0
    async for doc in collection.find({"size": {"$exists": False}}):
        group, entries = doc.pop("_id"), doc.pop("entries", [])
        for bucket in bucketed(group, doc, entries, capacity):  # replaced: harmless if a crash repeats it
            await collection.replace_one({"_id": bucket["_id"]}, bucket, upsert=True)
        await collection.delete_one({"_id": group})
        split += 1
    return split


async def _write(collection: AsyncCollection[Any], buckets: Iterable[Bucket]) -> None:
    """Pulls first, then pushes: one update may not do both to `entries`."""
    pulls: list[Any] = []
    pushes: list[Any] = []
    for bucket in buckets:
        if bucket.leaving and bucket.size == 0 and not bucket.joining:
            pulls.append(DeleteOne({"_id": bucket.id}))
        elif bucket.leaving:
            leaving = {"$pull": {"entries": {"id": {"$in": bucket.leaving}}}, "$inc": {"size": -len(bucket.leaving)}}
            pulls.append(UpdateOne({"_id": bucket.id}, leaving))
        if bucket.joining:
            update: dict[str, Any] = {
                "$push": {"entries": {"$each": bucket.joining}},
                "$inc": {"size": len(bucket.joining)},
            }
            if bucket.fields is not None:  # new: created with the group's fields
                update["$setOnInsert"] = {**bucket.fields, "group": bucket.group, "number": bucket.number}
            pushes.append(UpdateOne({"_id": bucket.id}, update, upsert=bucket.fields is not None))
    for operations in (pulls, pushes):
        if operations:
            await collection.bulk_write(operations, ordered=False)
