"""Benchmark of the request ledger's read model (`uv run python bench/requests_bench.py`): prints its figures and
the machine. Not a test.

A city of ten districts with `--requests` requests (default 20,000) spread over a year, `--open` of them (10 %)
still open, documents built by the projection's own `document_of` from Request aggregates taken through the loop.
Then p50/p99 of `GET /requests`'s query (projections.requests.find_requests) for a township, a district and the
city: open requests, overdue ones, one month's closings, one category; and the daily escalation's candidate query.
The city's lists are read in windows planned from day counts (written here as the projector keeps them); the
same lists as one query each, as a county's are read, are timed beside them for comparison.

Starts its own SecantusDB in a temporary folder (or uses VET_BENCH_MONGO_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from outreach.domain.requests import Request, RequestCategory, RequestGrade, Satisfaction
from outreach.projections import requests as projection
from outreach.projections.requests import (
    DAY_COUNTS,
    RequestSearch,
    create_indexes,
    day_counts,
    document_of,
    find_requests,
)
from outreach.queries.windows import day_key
from vet_common.auth import Principal, Role
from vet_common.domain import Actor

sys.path.insert(0, str(Path(__file__).parent))
from e2e_delay import machine

DISTRICTS = [f"4404{n:02d}" for n in range(2, 12)]
STAFF = Actor(sub="staff-1", role="station_staff")
TODAY = date(2020, 12, 31)


def request_docs(count: int, open_share: float, rnd: random.Random) -> list[dict[str, Any]]:
    docs = []
    for _ in range(count):
        region = f"{rnd.choice(DISTRICTS)}{rnd.randint(1, 9):03d}{rnd.randint(1, 20):03d}"
        registered = date(2020, 1, 1) + timedelta(days=rnd.randint(0, 360))
        request = Request(
            person_id=str(uuid.uuid4()), region=region, category=rnd.choice(list(RequestCategory)).value,
            grade=rnd.choice(list(RequestGrade)).value, summary="", found_in_contact=None, occasion=None,
            department="", assignee=f"staff-{rnd.randint(1, 200)}", responsible_region=region[:9],
            registered_on=registered, deadline=registered + timedelta(days=30), rules_version=0, actor=STAFF,
        )  # fmt: skip
        request.accept(registered, None, None, "", STAFF)
        if rnd.random() > open_share:
            request.start(registered, "", STAFF)
            request.resolve(registered + timedelta(days=10), "", STAFF)
            request.follow_up(registered + timedelta(days=12), Satisfaction.satisfied, None, "", TODAY, STAFF)
        docs.append({"_id": str(request.id), "version": request.version, **document_of(request)})
    return docs


def page_of(db: Any, officer: Principal, search: RequestSearch) -> Any:
    async def page() -> list[Any]:
        return (await find_requests(db, officer, search, TODAY))[0]

    return page


async def timed(work: Any, repeat: int) -> tuple[float, float, int]:
    times, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = len(await work())
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)], found


async def run(mongo_url: str, count: int, open_share: float, repeat: int) -> None:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    db = client[f"bench_{uuid.uuid4().hex[:6]}"]
    try:
        await create_indexes(db)
        docs = request_docs(count, open_share, random.Random(20200801))
        started = time.perf_counter()
        for start in range(0, len(docs), 1000):
            await db.requests.insert_many(docs[start : start + 1000])
        counts: dict[tuple[str, str], int] = {}
        for doc in docs:
            for key in day_counts(doc):
                counts[key] = counts.get(key, 0) + 1
        count_docs = [
            {"_id": day_key(listed, day), "list": listed, "day": day, "n": n} for (listed, day), n in counts.items()
        ]
        await db[DAY_COUNTS].insert_many(count_docs)
        print(
            f"{count} requests ({open_share:.0%} open) and {len(count_docs)} day counts written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        searches = {
            "open": RequestSearch(),
            "overdue": RequestSearch(overdue=True),
            "closed in June": RequestSearch(status="closed", closed_in="2020-06"),
            "open petitions": RequestSearch(category="petition"),
        }
        for scope, windows in (("440402001", False), ("440402", False), ("4404", True), ("4404", False)):
            officer = Principal(sub="o", name="o", roles=frozenset({Role.officer}), region=scope)
            how = "windows" if windows else "one query"
            for name, search in searches.items():
                projection.COUNTED_UP_TO = 4 if windows else 0
                p50, p99, rows = await timed(page_of(db, officer, search), repeat)
                print(
                    f"  {scope:<10} {name:<15} {how:<9} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  ({rows} rows on the page)"
                )
        projection.COUNTED_UP_TO = 4
        due = {"open": True, "deadline": {"$lt": TODAY.isoformat()}}  # what jobs.requests.escalate_overdue asks
        p50, p99, rows = await timed(lambda: db.requests.find(due, {"_id": 1}).to_list(), 5)
        print(f"  daily escalation candidates: {rows}, p50 {p50:.1f} ms p99 {p99:.1f} ms")
    finally:
        await client.drop_database(db.name)
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--open", type=float, default=0.1, help="share of requests still open")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(machine())
    with ExitStack() as stack:
        mongo_url = os.environ.get("VET_BENCH_MONGO_URL")
        if not mongo_url:
            from vet_devtools.stack import SecantusServer, free_port

            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vet-bench-")))
            mongo = SecantusServer(workdir, free_port(), cache_size="1G", name="bench-secantus")
            mongo.start()
            mongo.wait_ready()
            stack.callback(mongo.stop)
            mongo_url = mongo.url
        print("read model: SecantusDB")
        asyncio.run(run(mongo_url, args.requests, args.open, args.repeat))


if __name__ == "__main__":
    main()
