"""Keyset pages over `"<date>|<person id>"` keys that stay fast however many documents a jurisdiction has.

SecantusDB materialises every document a query matches before it sorts and applies `limit` (measured on this
2-core machine: 25-60 µs a document when quiet, 100-350 µs under load; 40,000 matches cost 0.8-1.4 s, 156
cost 9 ms, an empty index range 0.5-10 ms; a range on `_id` is not narrowed by its index), so "the first 50
overdue in the province" must never be one query over the province. Each list keeps, per
document, a key `"<date>|<person id>"` in a compound index after the jurisdiction key, and a page is read as
a few narrow windows of that key, each an index range the server reads alone:

    {jurisdictions: "33", due_slot: {$gte: "2026-03-01|3f", $lt: "2026-03-01|41"}}

Where the windows end is planned from counts (`DayCounts`: per list and jurisdiction key, how many documents
each month and each day holds, kept by the projector for the province, cities and counties): a window should match
about one page, spanning thin months whole, or the days of a fuller month, or a slice of a dense day (person
ids are random UUIDs, so a day's documents spread evenly over the id part of the key). 40,000 people overdue
since one day, the day they were all imported, cost a page ~60 documents, not 40,000. Counts only size the
windows: the windows always cover the key range without gaps, so a count that drifted (a batch replayed
after a crash counts twice) costs time, never a row. A township's list is walked without counts.

Chosen over buckets by hash (a page would merge every bucket) and over plain date windows (a dense day is one
window); lists without counts (pairings, to-do) size each window from the density the last one found, which
suits their thin data. A walk sends at most MAX_WINDOWS queries: if the page is not full by then it returns
what it has and the cursor where it stopped (a short page; the next goes on from there).
"""

from __future__ import annotations

import base64
import binascii
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from vet_common.domain import Invalid

Document = dict[str, Any]
FIRST_WIDTH = 1 / 256  # of a day
MAX_WINDOWS = 24
GROWTH = 16
ID_SPAN = 16**8  # the first eight hex digits of a person id place it within its day


# The day of keys of a list in no date order (ordered by person id alone).
UNDATED = date(2000, 1, 1)


def slot(on: date | str, person_id: str) -> str:
    day = on if isinstance(on, str) else on.isoformat()
    return f"{day}|{person_id}"


def key_at(x: float) -> str:
    """The smallest key at position `x` (days since year 1, the fraction the place within the day)."""
    day = math.floor(x)
    prefix = date.fromordinal(day).isoformat() + "|"
    fraction = int((x - day) * ID_SPAN)
    return prefix + (f"{fraction:08x}" if fraction else "")


def position(key: str) -> float:
    day, _, person = key.partition("|")
    try:
        fraction = int(person[:8].ljust(8, "0"), 16) / ID_SPAN
    except ValueError:  # not a UUID: place it at the start of its day (only the window sizes suffer)
        fraction = 0.0
    return date.fromisoformat(day).toordinal() + fraction


@dataclass(frozen=True)
class Page:
    docs: list[Document]
    next: str | None  # the cursor of the next page; None when the range is exhausted


@dataclass(frozen=True)
class DayCounts:
    """Estimates of how many documents a list holds in one jurisdiction per month and per day: documents
    `{list: "<prefix>" or "<prefix>@month", day: "YYYY-MM-DD" (a month's first day), n}`, kept by the projector
    (ReadModelBatch.count) and read by an index on (list, day). Months let a walk skip empty years in one read;
    a month too full for one window is read by day, and a day too full is split by the id part of the key.

    With `remember_seconds`, what was read is kept that long in this process and read again from memory (see
    RememberedCounts): a page then costs its window queries alone."""

    collection: AsyncCollection[Any]
    prefix: str  # "<list>|<jurisdiction key>"
    remember_seconds: float = 0.0

    async def months(self, start: int, end: int) -> list[Bucket]:
        first = date.fromordinal(start).replace(day=1).toordinal()
        return [(day, next_month(day), n) for day, n in await self._read(f"{self.prefix}{MONTHS}", first, end)]

    async def days(self, start: int, end: int) -> list[Bucket]:
        return [(day, day + 1, n) for day, n in await self._read(self.prefix, start, end)]

    async def _read(self, listed: str, start: int, end: int) -> list[tuple[int, int]]:
        if self.remember_seconds <= 0:
            return await self._fetch(listed, start, end)
        key = (id(self.collection.database.client), self.collection.full_name, listed, start, end)
        return await REMEMBERED.get(key, self.remember_seconds, lambda: self._fetch(listed, start, end))

    async def _fetch(self, listed: str, start: int, end: int) -> list[tuple[int, int]]:
        query = {
            "list": listed,
            "day": {"$gte": date.fromordinal(start).isoformat(), "$lt": date.fromordinal(end).isoformat()},
        }
        docs = await self.collection.find(query, sort=[("day", 1)]).to_list()
        return [(date.fromisoformat(doc["day"]).toordinal(), int(doc["n"])) for doc in docs if doc["n"] > 0]


class RememberedCounts:
    """Counts read lately, by what was asked, each for a few seconds.

    The counts only size the windows (a walk covers its key range however wrong they are), so counts a few
    seconds old cost at worst a window fuller or emptier than planned, never a row. A list's first page asks the
    same months and days all day: from memory a page is its window queries alone, one or two round trips to
    SecantusDB instead of three or four (each 5-15 ms on a loaded 2-core machine)."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self.entries: dict[tuple[Any, ...], tuple[float, list[tuple[int, int]]]] = {}

    async def get(
        self, key: tuple[Any, ...], seconds: float, fetch: Callable[[], Awaitable[list[tuple[int, int]]]]
    ) -> list[tuple[int, int]]:
        now = time.monotonic()
        found = self.entries.get(key)
        if found is not None and now - found[0] < seconds:
            return found[1]
        value = await fetch()
        if len(self.entries) >= self.capacity:
            self.entries.clear()  # bounded: a burst of distinct cursors cannot grow it without end
        self.entries[key] = (now, value)
        return value


REMEMBERED = RememberedCounts()
COUNTS_REMEMBERED = 30.0  # seconds the API remembers a list's counts
MONTHS = "@month"
Bucket = tuple[int, int, int]  # (first day, day after the last, estimated documents)


def next_month(day: int) -> int:
    first = date.fromordinal(day)
    return (
        first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    ).toordinal()


def day_key(prefix: str, on: date | str) -> str:
    return f"{prefix}|{on if isinstance(on, str) else on.isoformat()}"


def month_of(day: str) -> str:
    return day[:8] + "01"


async def walk(
    collection: AsyncCollection[Any],
    field: str,
    match: Document,
    start: date,
    end: date,
    after: str | None,
    size: int,
    counts: DayCounts | None = None,
) -> Page:
    """Documents matching `match` whose `field` lies in [start, end) (dates), in key order, after the cursor.

    With `counts`, each window is planned from the estimates to match about a page; without, windows are
    sized from what the last one found (empty ones grow sixteenfold).
    """
    end_x = float(end.toordinal())
    x = float(start.toordinal())
    lower, inclusive = key_at(x), True
    if after is not None:
        cursor = decode(after)
        if cursor >= lower:
            lower, inclusive, x = cursor, False, max(x, position(cursor))
    buckets = await counts.months(math.floor(x), end.toordinal()) if counts is not None else []
    width = FIRST_WIDTH
    found: list[Document] = []
    for _ in range(MAX_WINDOWS):
        if x >= end_x:
            return Page(found, None)  # the range was read to its end
        wanted = size + 1 - len(found)
        if counts is not None:
            high_x = await plan(counts, buckets, x, end_x, wanted)
        else:
            high_x = min(x + width, end_x)
        if high_x <= x:
            high_x = min(x + FIRST_WIDTH, end_x)
        high = key_at(high_x)
        query = {**match, field: {"$gte" if inclusive else "$gt": lower, "$lt": high}}
        docs = await collection.find(query, sort=[(field, 1)], limit=wanted).to_list()
        found += docs
        if len(found) > size:
            return Page(found[:size], encode(found[size - 1][field]))
        if docs:
            density = len(docs) / (high_x - x)
            width = min(max((size + 1 - len(found)) / density * 1.25, width / 4), width * GROWTH)
        else:
            width *= GROWTH
        x, lower, inclusive = high_x, high, True
    # Out of windows: what was found, and where to go on from (every key below `lower` was read; no key
    # equals it, since keys end in a whole person id).
    return Page(found, encode(lower))


async def plan(counts: DayCounts, buckets: list[Bucket], x: float, end_x: float, wanted: int) -> float:
    """Where a window from `x` should end to match about `wanted` documents by the estimates (a little over:
    they are rough, and one window should usually fill the page). A month too full is replaced in `buckets` by
    its days; past the last estimate the window runs to `end_x` (only documents the counts missed are there)."""
    budget = wanted * 1.1 + 2
    index = 0
    while index < len(buckets):
        first, last, n = buckets[index]
        if last <= x:
            index += 1
            continue
        begin = max(x, float(first))
        here = n * (last - begin) / (last - first)
        if here <= budget:
            budget -= here
            index += 1
            continue
        if last - first > 1:  # a month: by day
            buckets[index : index + 1] = await counts.days(max(math.floor(begin), first), last)
            continue
        return min(begin + budget / n, end_x)  # a slice of one dense day
    return end_x


def encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode(cursor: str) -> str:
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        position(key)
    except (ValueError, binascii.Error):
        raise Invalid(
            "after", "翻页参数无效，请从第一页重新查询 (invalid cursor: start again from the first page)"
        ) from None
    return key
