"""The windowed keyset walk (queries/windows.py) against the MongoDB-wire server: every page in order, nothing
twice or missed, and no query matching more than a few hundred documents however dense the data."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from outreach.projections.schedule import day_keys
from outreach.queries.windows import DayCounts, Page, day_key, decode, encode, key_at, position, slot, walk
from vet_common.domain import Invalid

pytestmark = pytest.mark.integration
DAY = date(2026, 3, 1)


class Recording:
    """The collection, noting the filter of every query the walk sends."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.filters: list[dict[str, Any]] = []

    def find(self, query: dict[str, Any], **kwargs: Any) -> Any:
        self.filters.append(query)
        return self.collection.find(query, **kwargs)


async def fill(db: AsyncDatabase[Any], dense: int, sparse: int) -> list[str]:
    """`dense` documents due on DAY, `sparse` spread over the year before, all in city 3501; 10 elsewhere."""
    docs = []
    for n in range(dense + sparse + 10):
        person = str(uuid.UUID(int=uuid.uuid4().int))
        on = DAY if n < dense else DAY - timedelta(days=(n * 37) % 365 + 1)
        keys = ["35", "3502", "350203"] if n >= dense + sparse else ["35", "3501", "350102"]
        docs.append({"_id": person, "jurisdictions": keys, "due_slot": slot(on, person)})
    await db.schedules.insert_many(docs)
    await db.schedules.create_index([("jurisdictions", 1), ("due_slot", 1)])
    counts: dict[tuple[str, str], int] = {}
    for doc in docs:
        for listed in day_keys("due", doc, "due_slot"):
            counts[listed] = counts.get(listed, 0) + 1
    await db.day_counts.insert_many(
        [{"_id": day_key(*listed), "list": listed[0], "day": listed[1], "n": n} for listed, n in counts.items()]
    )
    await db.day_counts.create_index([("list", 1), ("day", 1)])
    return sorted(d["due_slot"] for d in docs if d["jurisdictions"][1] == "3501")


async def page_of(db: AsyncDatabase[Any], recording: Recording, after: str | None, size: int, counted: bool) -> Page:
    counts = DayCounts(db.day_counts, "due|3501") if counted else None
    start, end = DAY - timedelta(days=3650), DAY + timedelta(days=1)
    return await walk(recording, "due_slot", {"jurisdictions": "3501"}, start, end, after, size, counts)  # type: ignore[arg-type]


async def every_page(db: AsyncDatabase[Any], size: int, counted: bool = True) -> tuple[list[str], Recording]:
    recording = Recording(db.schedules)
    seen: list[str] = []
    after = None
    for _ in range(1000):
        page = await page_of(db, recording, after, size, counted)
        assert len(page.docs) <= size
        seen += [doc["due_slot"] for doc in page.docs]
        if page.next is None:
            return seen, recording
        after = page.next
    raise AssertionError("the walk never ended")


async def test_every_document_once_in_order_with_small_matches(db: AsyncDatabase[Any]) -> None:
    expected = await fill(db, dense=3000, sparse=200)
    seen, recording = await every_page(db, size=50)
    assert seen == expected
    matches = [await db.schedules.count_documents(query) for query in recording.filters]
    assert max(matches) <= 400, max(matches)  # 3,000 due on one day never come back in one query
    assert len(recording.filters) <= 2 * (len(expected) // 50 + 1)


async def test_counts_that_drifted_cost_time_but_never_a_row(db: AsyncDatabase[Any]) -> None:
    expected = await fill(db, dense=300, sparse=100)
    await db.day_counts.update_many({}, {"$set": {"n": 1}})  # every count wrong
    await db.day_counts.delete_many({"list": "due|3501", "day": {"$gte": "2026-01", "$lt": "2026-02"}})
    seen, _ = await every_page(db, size=30)
    assert seen == expected


class CountingReads:
    """The day counts' collection, counting the queries sent to it."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.database = collection.database
        self.full_name = f"{collection.full_name}.{uuid.uuid4().hex[:6]}"  # this test's own memory
        self.reads = 0

    def find(self, query: dict[str, Any], **kwargs: Any) -> Any:
        self.reads += 1
        return self.collection.find(query, **kwargs)


async def test_remembered_counts_are_read_once_and_stale_ones_lose_no_row(db: AsyncDatabase[Any]) -> None:
    expected = await fill(db, dense=300, sparse=100)
    reads = CountingReads(db.day_counts)
    counts = DayCounts(reads, "due|3501", remember_seconds=60)  # type: ignore[arg-type]
    start, end = DAY - timedelta(days=3650), DAY + timedelta(days=1)
    first = await walk(db.schedules, "due_slot", {"jurisdictions": "3501"}, start, end, None, 50, counts)
    asked = reads.reads
    assert asked >= 1
    # The counts change (the projector moved on): the remembered ones still plan the windows, and no row is lost.
    await db.day_counts.update_many({}, {"$set": {"n": 1}})
    again = await walk(db.schedules, "due_slot", {"jurisdictions": "3501"}, start, end, None, 50, counts)
    assert reads.reads == asked
    assert [d["due_slot"] for d in again.docs] == [d["due_slot"] for d in first.docs] == expected[:50]


async def test_without_counts_every_document_once_in_order(db: AsyncDatabase[Any]) -> None:
    expected = await fill(db, dense=0, sparse=300)
    seen, _ = await every_page(db, size=50, counted=False)
    assert seen == expected


async def test_a_page_of_a_sparse_range_needs_few_queries(db: AsyncDatabase[Any]) -> None:
    await fill(db, dense=0, sparse=40)
    recording = Recording(db.schedules)
    page = await page_of(db, recording, None, 50, counted=True)
    assert len(page.docs) == 40
    assert page.next is None
    assert len(recording.filters) <= 3


def test_keys_and_positions_agree() -> None:
    person = "80000000-0000-4000-8000-000000000000"
    assert position(slot(DAY, person)) == DAY.toordinal() + 0.5
    assert key_at(DAY.toordinal()) == "2026-03-01|"
    assert key_at(DAY.toordinal() + 0.5) == "2026-03-01|80000000"
    assert key_at(DAY.toordinal()) < slot(DAY, "00000000-0000") < key_at(DAY.toordinal() + 1)
    assert decode(encode(slot(DAY, person))) == slot(DAY, person)


def test_a_cursor_that_is_not_ours_is_refused_on_after() -> None:
    with pytest.raises(Invalid) as refused:
        decode("not-a-cursor")
    assert refused.value.field == "after"
