"""Target facets in fixed-size buckets: no bucket holds more than its capacity however a group grows, everyone is in
exactly their last groups however batches are cut or replayed, and the launch and a rebuild read the same."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from outreach.application import OutreachApplication
from outreach.projections import OutreachProjection
from outreach.projections.buckets import BucketedGroups
from outreach.projections.campaigns import select_targets
from outreach.projections.targeting import FACETS, TargetFacetsProjection
from outreach.service import definition
from vet_common.jurisdiction import JURISDICTIONS, region_keys
from vet_common.projector import CHECKPOINTS, Projector, ReadModelBatch
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

from .test_campaigns import LIANDU_VILLAGE, officer, plan

pytestmark = pytest.mark.integration

GROUP = {"kind": "k"}


async def moves(
    db: AsyncDatabase[Any], *moved: tuple[str, int, list[str]], capacity: int = 3, collection: str = "facets"
) -> None:
    """One batch: each (member, its entry's year, the groups it is now in)."""
    batch = ReadModelBatch(db)
    for member, year, groups in moved:
        step = batch.step(collection, lambda: BucketedGroups(collection, capacity))
        step.move(member, {"year": year}, {group: GROUP for group in groups})
    await batch.flush()


async def buckets(db: AsyncDatabase[Any], collection: str = "facets") -> list[dict[str, Any]]:
    return await db[collection].find({}, sort=[("_id", 1)]).to_list()


async def contents(db: AsyncDatabase[Any], collection: str = "facets") -> dict[str, list[tuple[str, Any]]]:
    """Each group's entries (member, the rest of its entry), whichever buckets hold them; checks every bucket's
    size is its entries' number and within the capacity, and that no member is twice in a group."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for doc in await buckets(db, collection):
        assert doc["size"] == len(doc["entries"]) > 0, doc["_id"]
        assert doc["_id"] == f"{doc['group']}:{doc['number']}"
        found.setdefault(doc["group"], []).extend(
            (item["id"], sorted((k, v) for k, v in item.items() if k != "id")) for item in doc["entries"]
        )
    for group, entries in found.items():
        assert len({member for member, _ in entries}) == len(entries), group
    return {group: sorted(entries) for group, entries in sorted(found.items())}


async def test_a_group_fills_buckets_of_at_most_the_capacity(mongo_db: AsyncDatabase[Any]) -> None:
    await moves(mongo_db, *[(f"p{n}", 1940, ["a"]) for n in range(5)], ("q", 1950, ["a", "b"]))
    await moves(mongo_db, ("p5", 1941, ["a"]))  # a later batch goes on filling the last bucket
    docs = await buckets(mongo_db)
    assert [(doc["_id"], doc["size"], doc["kind"]) for doc in docs] == [
        ("a:0", 3, "k"),
        ("a:1", 3, "k"),
        ("a:2", 1, "k"),
        ("b:0", 1, "k"),
    ]
    assert [item["id"] for item in docs[2]["entries"]] == ["p5"]
    assert {member for member, _ in (await contents(mongo_db))["a"]} == {"q", *(f"p{n}" for n in range(6))}


async def test_members_move_and_leave_and_a_freed_place_is_filled_before_a_new_bucket(
    mongo_db: AsyncDatabase[Any],
) -> None:
    await moves(mongo_db, *[(f"p{n}", 1940, ["a"]) for n in range(6)])  # a:0 and a:1 full
    # p1 changes (stays in its bucket, with its new entry), p2 leaves every group, p4 moves to b.
    await moves(mongo_db, ("p1", 1945, ["a"]), ("p2", 1940, []), ("p4", 1940, ["b"]))
    assert await contents(mongo_db) == {
        "a": [("p0", [("year", 1940)]), ("p1", [("year", 1945)]), ("p3", [("year", 1940)]), ("p5", [("year", 1940)])],
        "b": [("p4", [("year", 1940)])],
    }
    assert {item["id"] for item in (await buckets(mongo_db))[0]["entries"]} == {"p0", "p1"}
    # p6 goes into a:0's free place, not a new a:2; p5 changes and stays where it is (one document written).
    await moves(mongo_db, ("p5", 1946, ["a"]), ("p6", 1940, ["a"]))
    docs = await buckets(mongo_db)
    assert [(doc["_id"], doc["size"]) for doc in docs] == [("a:0", 3), ("a:1", 2), ("b:0", 1)]
    assert [{item["id"] for item in doc["entries"]} for doc in docs[:2]] == [{"p0", "p1", "p6"}, {"p3", "p5"}]
    await moves(mongo_db, ("p4", 1940, []))  # b's last member leaves: its bucket goes
    assert [doc["_id"] for doc in await buckets(mongo_db)] == ["a:0", "a:1"]


async def test_a_replayed_batch_changes_nothing(mongo_db: AsyncDatabase[Any]) -> None:
    await moves(mongo_db, *[(f"p{n}", 1940, ["a", "b"]) for n in range(4)])
    batch: list[tuple[str, int, list[str]]] = [("p0", 1941, ["b"]), ("p5", 1940, ["a"]), ("p3", 1940, [])]
    await moves(mongo_db, *batch)
    once = await buckets(mongo_db)
    await moves(mongo_db, *batch)  # the checkpoint was lost after the write
    assert await buckets(mongo_db) == once


async def test_the_groups_are_the_same_however_the_batches_are_cut(mongo_db: AsyncDatabase[Any]) -> None:
    rng = random.Random(4)
    history = [
        (f"p{rng.randrange(30)}", rng.randrange(1930, 1960), rng.sample("abcd", rng.randrange(3))) for _ in range(300)
    ]
    one_by_one, in_tens = mongo_db.client[f"{mongo_db.name}_1"], mongo_db.client[f"{mongo_db.name}_10"]
    try:
        for moved in history:
            await moves(one_by_one, moved)
        for start in range(0, len(history), 10):
            await moves(in_tens, *history[start : start + 10])
        last: dict[str, tuple[int, list[str]]] = {member: (year, groups) for member, year, groups in history}
        expected: dict[str, list[tuple[str, Any]]] = {}
        for member, (year, groups) in last.items():
            for group in groups:
                expected.setdefault(group, []).append((member, [("year", year)]))
        assert await contents(one_by_one) == {group: sorted(expected[group]) for group in sorted(expected)}
        assert await contents(in_tens) == await contents(one_by_one)
    finally:
        await mongo_db.client.drop_database(one_by_one.name)
        await mongo_db.client.drop_database(in_tens.name)


async def test_facets_of_the_shape_before_buckets_are_split_on_the_first_setup(mongo_db: AsyncDatabase[Any]) -> None:
    facet = {"facet": "k:unemployed", "township": "331102001", JURISDICTIONS: region_keys("331102001")}
    entries = [{"id": f"p{n}", "year": 1940} for n in range(5)]
    await mongo_db[FACETS].insert_one({"_id": "331102001:k:unemployed", **facet, "entries": entries})
    projection = TargetFacetsProjection(capacity=2)
    await projection.setup(mongo_db)
    await projection.setup(mongo_db)  # the next start: nothing to split
    docs = await buckets(mongo_db, FACETS)
    assert [(doc["_id"], doc["size"], doc["facet"], doc["township"]) for doc in docs] == [
        (f"331102001:k:unemployed:{n}", size, "k:unemployed", "331102001") for n, size in enumerate((2, 2, 1))
    ]
    assert (await contents(mongo_db, FACETS))["331102001:k:unemployed"] == [
        (f"p{n}", [("year", 1940)]) for n in range(5)
    ]
    await moves(mongo_db, ("p0", 1940, []), collection=FACETS)  # and the projector goes on with them
    assert [doc["size"] for doc in await buckets(mongo_db, FACETS)] == [1, 2, 1]


def person(n: int) -> str:
    return f"c3d8b5a2-0000-4000-8000-{n:012d}"


async def test_the_launch_reads_every_bucket_and_a_rebuild_gives_the_same_facets(mongo_db: AsyncDatabase[Any]) -> None:
    harness = ServiceHarness[OutreachApplication](definition, today=date(2022, 7, 15))
    feed = RegistryFeed(occurred_at=datetime(2022, 1, 1, tzinfo=UTC))
    for n in range(12):  # one township: its unemployed facet and its 1930s facet span several buckets
        reasons = ["unemployed"] if n % 3 else []
        harness.deliver(
            feed.registered(person(n), LIANDU_VILLAGE, key_contact_reasons=reasons, birth_year=1935 + n % 2)
        )
    harness.deliver(feed.died(person(1)))
    harness.deliver(feed.transferred(person(2), "331121001001"))  # to 青田: another township's facets
    harness.deliver(feed.event("KeyContactDesignated", person(4), key_contact_reasons=[]))
    harness.deliver(feed.event("KeyContactDesignated", person(0), key_contact_reasons=["unemployed"]))

    projection = OutreachProjection(harness.app)
    for part in projection.parts:
        if isinstance(part, TargetFacetsProjection):
            part.capacity = 2
    await projection.setup(mongo_db)
    projector = Projector(harness.app, mongo_db, projection, batch_size=3)
    while await projector.run_once():
        pass
    live = await contents(mongo_db, FACETS)
    assert {group: len(entries) for group, entries in live.items()} == {
        "331102001:k:unemployed": 6,  # 0, 5, 7, 8, 10, 11
        "331102001:y:1930": 10,  # all but the dead and the transferred
        "331121001:k:unemployed": 1,
        "331121001:y:1930": 1,
    }
    assert max(doc["size"] for doc in await buckets(mongo_db, FACETS)) == 2

    campaign = harness.app.launchable_campaign(plan(harness), officer())  # 丽水's, targeting RULE's groups
    chosen = sorted((target.person_id, target.groups) for target in await select_targets(mongo_db, campaign))
    both = ("unemployed", "aged_80_plus")
    assert chosen == [(person(n), both if n in (0, 2, 5, 7, 8, 10, 11) else both[1:]) for n in range(12) if n != 1]

    await mongo_db[CHECKPOINTS].delete_many({})  # a replay from the start changes nothing
    while await projector.run_once():
        pass
    assert await contents(mongo_db, FACETS) == live

    await Projector(harness.app, mongo_db, projection, batch_size=500).rebuild(show_progress=False)
    assert await contents(mongo_db, FACETS) == live
    assert sorted((target.person_id, target.groups) for target in await select_targets(mongo_db, campaign)) == chosen
