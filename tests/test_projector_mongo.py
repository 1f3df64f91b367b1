"""The projector against a real MongoDB-wire server: version guard, checkpoint, rebuild equals live."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from vet_common.projector import CHECKPOINTS, Projector, ReadModelBatch
from vet_devtools.testing.apps import Counter, CounterApplication, CounterProjection

pytestmark = pytest.mark.integration


async def snapshot(db: AsyncDatabase[Any]) -> list[dict[str, Any]]:
    return await db.counters.find({}, sort=[("_id", 1)]).to_list()


async def test_replay_never_double_counts_and_rebuild_equals_live(mongo_url: str, tmp_path: Path) -> None:
    app = CounterApplication.in_directory(tmp_path)
    counters = [Counter(region=f"35010200100{i}") for i in range(3)]
    app.save(*counters)
    for counter in counters:
        for _ in range(3):
            counter.increment()
        app.save(counter)

    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    db = client[f"projector_{uuid.uuid4().hex[:8]}"]
    try:
        projector = Projector(app, db, CounterProjection(app), batch_size=5)
        await CounterProjection(app).setup(db)
        while await projector.run_once():
            pass
        live = await snapshot(db)
        assert [doc["value"] for doc in live] == [3, 3, 3]

        # A crash that lost the checkpoint replays everything: the figures do not move.
        await db[CHECKPOINTS].delete_many({})
        while await projector.run_once():
            pass
        assert await snapshot(db) == live

        assert await projector.rebuild(show_progress=False) == 12
        assert await snapshot(db) == live
    finally:
        await client.drop_database(db.name)
        await client.close()
        app.close()


async def test_tallies_count_each_position_once_however_batches_are_cut(mongo_url: str) -> None:
    from vet_common.projector import ReadModelBatch

    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    db = client[f"projector_{uuid.uuid4().hex[:8]}"]

    async def count(positions: range) -> None:
        batch = ReadModelBatch(db)
        for position in positions:
            batch.tally("tallies", "3501", position, {"targets": 1, "reached": position % 2}, {"level": "city"})
            batch.tally("tallies", "3501", position, {"targets": 1}, {"level": "city"})  # twice in one event
        await batch.flush()

    try:
        await count(range(1, 4))
        await count(range(2, 6))  # a replay of 2 and 3, cut differently, then 4 and 5
        tally = await db.tallies.find_one({"_id": "3501"})
        assert tally is not None
        assert (tally["targets"], tally["reached"], tally["position"], tally["level"]) == (10, 3, 5, "city")
    finally:
        await client.drop_database(db.name)
        await client.close()


async def test_counts_of_a_batch_are_added_in_one_write_created_with_their_fields(mongo_url: str) -> None:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    db = client[f"projector_{uuid.uuid4().hex[:8]}"]
    try:
        batch = ReadModelBatch(db)
        batch.count("tallies", "due|35|2026-03-01", 1, {"list": "due|35", "day": "2026-03-01"})
        batch.count("tallies", "due|35|2026-03-01", 1, {"list": "due|35", "day": "2026-03-01"})
        batch.count("tallies", "due|35|2026-02-01", 0)  # nothing to add: nothing written
        await batch.flush()
        batch.count("tallies", "due|35|2026-03-01", -1)
        await batch.flush()
        assert await db.tallies.find({}).to_list() == [
            {"_id": "due|35|2026-03-01", "n": 1, "list": "due|35", "day": "2026-03-01"}
        ]
    finally:
        await client.drop_database(db.name)
        await client.close()
