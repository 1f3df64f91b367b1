"""Benchmark of outreach (`make bench-outreach`): prints its figures and the machine. Not a test.

1. Fills outreach's event store (SQLite) with 200,000 people in its replica of the registry, 40,000 of them key
   contacts with a contact file, saved in batches (as a consumer catching up would, not one event per
   transaction), across Fujian's 84 counties. A quarter of the key contacts were designated on one day a year
   ago (an import: the densest case for the lists), the rest over the two years before today.
2. Projects them into the read models (SecantusDB) with outreach's projection, in batches of 10,000 events.
3. `POST /contacts` over HTTP against `python -m outreach api` (16 keep-alive clients, distinct key contacts):
   rate, p50, p99 (target >= 500/s, p99 < 100 ms), with one API process, then with two (as many as the machine
   has cores; `VET_API_WORKERS=2`), each run on its own half of the key contacts (`--api-workers 1,2`).
4. `GET /contacts/overdue` for one county and for the province, first pages and following pages (cursor):
   p50 and p99 (target p99 < 100 ms).

Starts its own SecantusDB in a temporary folder (or uses VET_BENCH_MONGO_URL). `--people N` scales it down.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from outreach.application import OutreachApplication
from outreach.domain.schedule import ContactFile
from outreach.projections import OutreachProjection
from outreach.projections.targeting import FACETS
from vet_common.auth import issue_token
from vet_common.domain import CHINA
from vet_common.people import PersonReplica
from vet_common.projector import Projector
from vet_common.settings import Settings
from vet_devtools.stack import SecantusServer, ServiceProcess, free_port

sys.path.insert(0, str(Path(__file__).parent))
from api_bench import Run, cpu_seconds, load
from e2e_delay import machine

HOST = "127.0.0.1"
TODAY = datetime.now(CHINA).date()
REASONS = ["serious_illness", "living_in_difficulty", "martyr_survivor", "aged_80", "disabled", "unemployed"]
SAVE_BATCH = 2000
# The projection in batches of 10,000 events (a catch-up; the worker takes 500 at a time): each batch rewrites the
# target facets and day counts it touches once, so fewer, larger batches cost the server less (24,000 events:
# 55 s against 78 s in batches of 2,000, load 7).
PROJECT_BATCH = 10_000


def townships() -> list[str]:
    from vet_common.divisions import division_table

    return sorted(code for code in division_table().names if len(code) == 9 and code.startswith("35"))


def fill(
    app: OutreachApplication, people: int, key_contacts: int, places: list[str], arrival: bool, seed: int = 7
) -> list[str]:
    """The replica and the key contacts' files; returns the key contacts' ids."""
    rng = random.Random(seed)
    import_day = TODAY - timedelta(days=365)
    keys: list[str] = []
    batch: list[Any] = []
    # In township order, as a county's import reaches outreach: a batch then touches the target facets of a few
    # townships, not of all (round-robin order made every projector batch rewrite every facet document, and the
    # projection of 200,000 people took longer than the lead's 18 minutes). Same people, same regions.
    # `arrival` keeps the round-robin order: registrations of every township mixed, as a live feed brings them.
    numbered = range(people) if arrival else sorted(range(people), key=lambda n: n % len(places))
    for n in numbered:
        person_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        region = f"{places[n % len(places)]}{1 + (n // len(places)) % 20:03d}"
        key = n % (people // key_contacts) == 0 and len(keys) < key_contacts
        reasons = [rng.choice(REASONS)] if key else []
        facts = {
            "person_id": person_id,
            "categories": ["discharged_soldier"],
            "key_contact_reasons": reasons,
            "status": "active",
            "birth_year": 1940 + n % 50,
            "sex": "male" if n % 3 else "female",
            "household": "rural" if n % 2 else "urban",
            "disability_level": (n % 10) + 1 if n % 7 == 0 else None,
        }
        batch.append(
            PersonReplica(
                person_id=person_id,
                facts=facts,
                region=region,
                registry_version=1,
                registry_event="PersonRegistered",
                registered_on=date(2020, 1, 1),
            )
        )
        if key:
            keys.append(person_id)
            since = import_day if len(keys) % 4 == 0 else TODAY - timedelta(days=rng.randrange(1, 730))
            batch.append(
                ContactFile(
                    person_id=person_id,
                    region=region,
                    key_contact_reasons=reasons,
                    disability_level=facts["disability_level"],
                    living=True,
                    key_contact_since=since,
                    registry_version=1,
                )
            )
        if len(batch) >= SAVE_BATCH:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)
    return keys


async def project(app: OutreachApplication, mongo_url: str, db_name: str, batch_size: int) -> int:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    try:
        db = client[db_name]
        projection = OutreachProjection(app)
        await projection.setup(db)
        projector = Projector(app, db, projection, batch_size=batch_size)
        total = 0
        while count := await projector.run_once():
            total += count
        return total
    finally:
        await client.close()


async def facet_sizes(mongo_url: str, db_name: str) -> str:
    """How many target facet documents the projection left, and their largest and mean number of entries."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    try:
        sizes = [len(doc["entries"]) async for doc in client[db_name][FACETS].find({}, {"entries.id": 1})]
    finally:
        await client.close()
    return f"{len(sizes):,}, entries max {max(sizes, default=0)}, mean {statistics.fmean(sizes or [0]):.0f}"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms  ({len(ordered)} requests)"


def overdue_latency(url: str, token: str, region: str, requests: int, pages: int) -> tuple[list[float], int]:
    """`requests` walks of `pages` pages each; every page's latency, and how many rows the first page had."""
    latencies: list[float] = []
    first_rows = 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        for _ in range(requests):
            after = None
            for page in range(pages):
                params = {"region": region, "limit": 50, **({"after": after} if after else {})}
                started = time.perf_counter()
                response = http.get("/contacts/overdue", params=params)
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()
                body = response.json()
                if page == 0:
                    first_rows = len(body["items"])
                after = body["next"]
                if after is None:
                    break
    return latencies, first_rows


def start_api(stack: ExitStack, workdir: Path, mongo_url: str, db_name: str, workers: int) -> tuple[Any, str]:
    """`python -m outreach api` with `workers` processes on a free port: the process and its url."""
    port = free_port()
    env = {
        "VET_API_PORT": str(port),
        "VET_DATA_DIR": str(workdir / "data"),
        "VET_MONGO_URL": mongo_url,
        "VET_READ_MODEL_DB": db_name,
        "VET_LOG_LEVEL": "WARNING",
        "VET_API_WORKERS": str(workers),
    }
    api = ServiceProcess(workdir, "outreach", "api", port, env=env, name=f"bench-outreach-api-{workers}")
    api.start()
    stack.callback(api.stop)
    api.wait_ready()
    return api, f"http://{HOST}:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--key-contacts", type=int, default=40_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--list-requests", type=int, default=100)
    parser.add_argument(
        "--api-workers", default="1,2", help="api processes (uvicorn workers) of each POST /contacts run, default 1,2"
    )
    parser.add_argument("--townships", type=int, help="people in only the first N of Fujian's townships (denser)")
    parser.add_argument("--arrival", action="store_true", help="registrations of all townships mixed, not in order")
    parser.add_argument("--project-batch", type=int, default=PROJECT_BATCH, help="events per projector batch")
    parser.add_argument("--projection-only", action="store_true", help="stop after the projection's figures")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="outreach-bench-")))
        mongo_url = os.environ.get("VET_BENCH_MONGO_URL", "")
        mongo_pid = None
        if not mongo_url:
            mongo = SecantusServer(workdir, free_port(), cache_size="2G", name="bench-secantus")
            mongo.start()
            stack.callback(mongo.stop)
            mongo.wait_ready()
            mongo_url = mongo.url
            mongo_pid = mongo.popen.pid if mongo.popen else None
        db_name = f"bench_{uuid.uuid4().hex[:6]}_outreach"
        settings = Settings.for_service(
            "outreach", data_dir=workdir / "data", mongo_url=mongo_url, read_model_db=db_name
        )
        app = OutreachApplication(settings)

        started = time.perf_counter()
        places = townships()[: args.townships]
        keys = fill(app, args.people, args.key_contacts, places, args.arrival)
        seconds = time.perf_counter() - started
        events = app.process_recorder.max_notification_id() or 0
        rate = events / seconds
        print(
            f"fill: {args.people} people in {len(places)} townships ({'mixed' if args.arrival else 'in township'}"
            f" order), {len(keys)} key contacts, {events} events in {seconds:.1f} s ({rate:.0f}/s)"
        )
        print(f"load average before the projection: {os.getloadavg()[0]:.1f}")
        started, cpu_started = time.perf_counter(), time.process_time()
        server_started = cpu_seconds(mongo_pid) if mongo_pid else 0.0
        projected = asyncio.run(project(app, mongo_url, db_name, args.project_batch))
        seconds = time.perf_counter() - started
        # CPU-seconds of this process and of SecantusDB: what another helper's load changes least.
        server = f", SecantusDB {cpu_seconds(mongo_pid) - server_started:.1f} s" if mongo_pid else ""
        print(
            f"projection: {projected} events in batches of {args.project_batch} in {seconds:.1f} s "
            f"({projected / seconds:.0f} events/s); CPU: projector {time.process_time() - cpu_started:.1f} s{server}"
        )
        facets = asyncio.run(facet_sizes(mongo_url, db_name))
        print(f"target facet documents: {facets}")
        app.close()
        if args.projection_only:
            return

        token = issue_token(settings, sub="bench", name="bench", roles=["station_staff"], region="35")
        counts = [int(n) for n in args.api_workers.split(",")]
        url = ""
        for turn, workers in enumerate(counts):
            # Each run records contacts with its own share of the key contacts: one contact a person.
            share = keys[turn * len(keys) // len(counts) : (turn + 1) * len(keys) // len(counts)]
            api, url = start_api(stack, workdir, mongo_url, db_name, workers)
            people = iter(share)

            def body(_: int, people: Iterator[str] = people) -> bytes:
                person = next(people)
                return json.dumps({"person_id": person, "method": "home_visit", "date": TODAY.isoformat()}).encode()

            pids = {"api": api.popen.pid} if api.popen else {}
            print(f"load average before the requests: {os.getloadavg()[0]:.1f} (others' work on the machine counts)")
            port = int(url.rsplit(":", 1)[1])
            run: Run = asyncio.run(
                load(port, "/contacts", token, args.clients, args.seconds, len(share) - 400, pids, body)
            )
            label = (
                f"POST /contacts (home visit, a key contact each; {workers} api process{'es' if workers > 1 else ''})"
            )
            print(run.line(label, args.clients))
            if turn < len(counts) - 1:
                api.stop()

        for label, region in (("county 350102 (鼓楼区)", "350102"), ("province 35 (福建省)", "35")):
            first, rows = overdue_latency(url, token, region, args.list_requests, 1)
            print(f"GET /contacts/overdue {label:<22} first page ({rows} rows): {percentiles(first)}")
            walked, _ = overdue_latency(url, token, region, max(args.list_requests // 5, 5), 5)
            print(f"GET /contacts/overdue {label:<22} pages 1-5 by cursor:    {percentiles(walked)}")


if __name__ == "__main__":
    main()
