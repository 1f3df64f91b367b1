"""Benchmark of reporting (`make bench-reporting`): prints its figures and the machine. Not a test.

1. Events consumed from Kafka and archived per second: registry events produced to a topic of 6 partitions, then
   consumed by reporting's worker code (batches, one transaction each, receipts, hash chain) into SQLite.
2. The rest of the archive written the same way without Kafka (archive_batch), up to --people x --per-person.
3. Rebuild: the counters and the audit read model replayed from the whole archive (`vet rebuild reporting`),
   events/s, as a ratio to the raw bulk-write rate of the read-model store (SecantusDB insert_many) measured here.
4. A province-wide statistic (GET /stats/people?region=35&period=2026-Q3, with its cities side by side) p50/p99
   with all of those people behind it, and how many counter documents it reads; and one figure as of a past day
   (the archive is archived over the last ARCHIVE_DAYS days, China time, by a clock set back): read from the
   counters' day starts through the API, p50, beside the replay of the archive up to that day it replaced.
   With --statistic-people (the target: 1,000,000 people, 5,000,000 events), it is
   measured again over counters bulk-built for that many: the same Feed's events folded in memory by the
   projector's own tally (reporting.statistics.tally, as `as_of` does) and written as counter documents,
   without Kafka, the archive or the projector's round trips (which 1 and 3 measure), so that the read is
   timed behind that many people in minutes rather than hours.

Starts its own Kafka and SecantusDB in a temporary folder (or uses VET_BENCH_KAFKA_BOOTSTRAP and
VET_BENCH_MONGO_URL); `--postgres` archives into a PostgreSQL it starts (production's store), `--kafka-only`
stops after 1. Figure 1 also gives the consumer's CPU time per event (this process: the event loop, the
archiving thread and, with SQLite, the writes), which a loaded machine changes much less than the wall time.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vet_common.domain import CHINA, FixedClock, SystemClock
from vet_common.settings import Settings
from vet_contracts import Actor, IntegrationEvent
from vet_devtools.stack import KafkaServer, PostgresServer, SecantusServer, free_port, free_ports

sys.path.insert(0, str(Path(__file__).parent))
from e2e_delay import machine

FOLLOW_UPS = ("CategoriesChanged", "KeyContactDesignated", "DisabilityAssessed", "AnnualConfirmationRecorded")
ARCHIVE_DAYS = 30  # the archive arrives over the last 30 days, so "as of" a past day has days behind and after it
CATEGORIES = ("discharged_soldier", "demobilized_soldier", "transferred_officer", "disabled_soldier", "martyr_survivor")


def villages() -> list[str]:
    from vet_common.divisions import division_table

    townships = sorted(code for code in division_table().names if len(code) == 9 and code.startswith("35"))
    return [f"{township}{n:03d}" for township in townships for n in range(1, 11)]


class Feed:
    """Registry events of `people` people, `per_person` events each, across every village of Fujian."""

    def __init__(self, people: int, per_person: int, seed: int = 7) -> None:
        self.people, self.per_person = people, per_person
        self.places = villages()
        self.rng = random.Random(seed)
        self.start = datetime(2025, 1, 1, tzinfo=UTC)

    def events(self, first_person: int, last_person: int) -> list[IntegrationEvent]:
        out = []
        for n in range(first_person, last_person):
            region = self.places[n % len(self.places)]
            facts: dict[str, Any] = {  # a person's facts after each event
                "person_id": f"p-{n}",
                "categories": [CATEGORIES[n % len(CATEGORIES)]],
                "key_contact_reasons": [],
                "status": "active",
                "birth_year": 1940 + n % 50,
                "sex": "male" if n % 3 else "female",
                "household": "rural" if n % 2 else "urban",
                "disability_level": None,
            }
            for version in range(1, self.per_person + 1):
                kind, extra = "PersonRegistered", dict[str, Any]()
                if version > 1:
                    kind = FOLLOW_UPS[(n + version) % len(FOLLOW_UPS)]
                    if kind == "CategoriesChanged":
                        facts["categories"] = [*facts["categories"], "active_duty_family"][-2:]
                    elif kind == "KeyContactDesignated":
                        facts["key_contact_reasons"] = ["unemployed"]
                        extra = {"reason": "unemployed"}
                    elif kind == "DisabilityAssessed":
                        facts["disability_level"] = 1 + n % 10
                        extra = {"cause": "因战"}
                    else:
                        extra = {"year": 2026}
                position = n * self.per_person + version
                out.append(
                    IntegrationEvent.build(
                        type=kind,
                        source="registry",
                        source_position=position,
                        aggregate_id=f"p-{n}",
                        aggregate_version=version,
                        occurred_at=self.start + timedelta(minutes=position % 800_000),
                        actor=Actor(sub=f"staff-{n % 500}", role="station_staff"),
                        region=region,
                        data={**facts, **extra},
                    )
                )
        return out


async def produce(bootstrap: str, topic: str, events: list[IntegrationEvent]) -> float:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    started = time.perf_counter()
    try:
        futures = [
            await producer.send(topic, event.to_bytes(), key=event.aggregate_id.encode(), headers=[])
            for event in events
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def consume(settings: Settings, application: Any, expected: int) -> tuple[float, float, float]:
    """Reporting's consumer until `expected` entries are archived: (seconds from the first batch handed to the
    handler, in all, and the CPU seconds this process spent from then)."""
    from reporting.service import definition
    from vet_common.subscriber import make_broker, subscribe_batch

    broker = make_broker(settings)
    archive_batch = definition.batch_handler_factory(application)  # type: ignore[misc]
    handle = definition.handler_factory(application)  # type: ignore[misc]
    first: list[tuple[float, float]] = []  # when the first batch arrived (the group joined, the fetch done)

    async def handle_batch(events: list[IntegrationEvent]) -> None:
        if not first:
            first.append((time.perf_counter(), time.process_time()))
        await archive_batch(events)

    subscribe_batch(broker, settings, [settings.topic("registry")], handle_batch, handle)
    started = time.perf_counter()
    await broker.start()
    try:
        while True:
            if await asyncio.to_thread(application.archived) >= expected:
                break
            await asyncio.sleep(0.05)
    finally:
        await broker.stop()
    done, cpu_done = time.perf_counter(), time.process_time()
    return done - first[0][0], done - started, cpu_done - first[0][1]


async def raw_bulk_rate(mongo_url: str, documents: int) -> float:
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    db = client[f"bench_raw_{uuid.uuid4().hex[:6]}"]
    try:
        started = time.perf_counter()
        for first in range(0, documents, 1000):
            await db.raw.insert_many(
                [{"_id": n, "region": "350102001001", "n": n} for n in range(first, min(first + 1000, documents))]
            )
        return documents / (time.perf_counter() - started)
    finally:
        await client.drop_database(db.name)
        await client.close()


async def rebuild(settings: Settings, application: Any) -> tuple[int, float]:
    from reporting.projections import ReportingProjection
    from vet_common.projector import Projector
    from vet_common.service import mongo_client, read_model_db

    client = mongo_client(settings)
    try:
        projector = Projector(application, read_model_db(client, settings), ReportingProjection(), batch_size=2000)
        started = time.perf_counter()
        count = await projector.rebuild(show_progress=False)
        return count, time.perf_counter() - started
    finally:
        await client.close()


async def bulk_counters(settings: Settings, feed: Feed, chunk: int = 2000) -> tuple[int, int]:
    """The counters of every person of `feed`, folded in memory by the projector's tally and written as counter
    documents into settings' read-model database: (events folded, documents written)."""
    from reporting.projections import ReportingProjection, counter_document
    from reporting.statistics import FAMILIES
    from reporting.statistics.tally import CounterKey, Tally, bucket_of, fold
    from vet_common.service import mongo_client, read_model_db

    totals: dict[CounterKey, dict[str, int]] = {}
    position = 0
    for first in range(0, feed.people, chunk):
        tally = Tally(FAMILIES)  # a chunk's people have no events outside it: their standings end with it
        for event in feed.events(first, min(first + chunk, feed.people)):
            position += 1
            fold(totals, tally.apply(event.canonical_body(), position))
    documents: dict[CounterKey, dict[str, int]] = {}
    for (topic, period, region), counts in totals.items():
        target = documents.setdefault((topic, bucket_of(period), region), {})
        target.update({f"{period}.{name}": amount for name, amount in counts.items() if amount})
    client = mongo_client(settings)
    try:
        db = read_model_db(client, settings)
        await client.drop_database(db.name)
        await ReportingProjection().setup(db)
        docs = [counter_document(key, counts, position) for key, counts in documents.items()]
        for first in range(0, len(docs), 1000):
            await db.counters.insert_many(docs[first : first + 1000])
    finally:
        await client.close()
    return position, len(docs)


async def documents_read(settings: Settings) -> int:
    from reporting.queries import live_figures
    from reporting.statistics import BY_TOPIC
    from reporting.statistics.periods import parse_period
    from vet_common.service import mongo_client, read_model_db

    client = mongo_client(settings)
    try:
        today = datetime.now(CHINA).date()
        db = read_model_db(client, settings)
        figures = await live_figures(db, BY_TOPIC["people"], "35", parse_period("2026-Q3"), today)
        return figures.documents_read
    finally:
        await client.close()


def province_statistic(settings: Settings, requests: int, what: str, application: Any = None) -> None:
    times, body = latencies(settings, requests)
    people = body["total"]["figures"]["people"]
    print(
        f"{what} GET /stats/people?region=35&period=2026-Q3 ({people:,} people, {len(body['rows'])} cities side by "
        f"side, {asyncio.run(documents_read(settings))} counter documents read): p50 "
        f"{statistics.median(times) * 1000:.1f} ms, p99 {percentile(times, 0.99) * 1000:.1f} ms over {len(times)} "
        f"requests; load average {os.getloadavg()[0]:.1f}"
    )
    if application is not None:
        as_of_figures(settings, application, max(10, requests // 10))


def as_of_figures(settings: Settings, application: Any, requests: int) -> None:
    """GET /stats/people?region=3501&as_of=<a day half-way through the archive>, beside that day's replay."""
    from fastapi.testclient import TestClient

    from reporting.queries import figures_as_of
    from reporting.service import definition
    from reporting.statistics import BY_TOPIC
    from reporting.statistics.periods import parse_period
    from vet_common.api import create_api
    from vet_common.auth import issue_token

    day = datetime.now(CHINA).date() - timedelta(days=ARCHIVE_DAYS // 2)
    token = issue_token(settings, sub="bench", name="bench", roles=["officer"], region="35")
    params, headers = {"region": "3501", "as_of": day.isoformat()}, {"Authorization": f"Bearer {token}"}
    times, cpu = [], time.process_time()
    with TestClient(create_api(definition, settings)) as client:
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/stats/people", params=params, headers=headers)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    cpu = (time.process_time() - cpu) / requests
    started, replay_cpu = time.perf_counter(), time.process_time()
    replayed = figures_as_of(application, BY_TOPIC["people"], "3501", parse_period(None), day)
    replay_seconds, replay_cpu = time.perf_counter() - started, time.process_time() - replay_cpu
    read = response.json()["total"]["figures"]["people"]
    assert read == replayed.total.get("people", 0), (read, replayed.total.get("people"))
    print(
        f"   as of {day} ({read:,} people in 3501 then): p50 {statistics.median(times) * 1000:.1f} ms, p99 "
        f"{percentile(times, 0.99) * 1000:.1f} ms over {len(times)} requests ({cpu * 1000:.1f} ms CPU each, this "
        f"process: client and API); the replay of the archive to that day it replaces: {replay_seconds:.1f} s "
        f"({replay_cpu:.1f} s CPU); load average {os.getloadavg()[0]:.1f}"
    )


def latencies(settings: Settings, requests: int) -> tuple[list[float], dict[str, Any]]:
    from fastapi.testclient import TestClient

    from reporting.service import definition
    from vet_common.api import create_api
    from vet_common.auth import issue_token

    token = issue_token(settings, sub="bench", name="bench", roles=["officer"], region="35")
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_api(definition, settings)) as client:
        params = {"region": "35", "period": "2026-Q3"}
        for _ in range(10):  # warm up
            client.get("/stats/people", params=params, headers=headers)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/stats/people", params=params, headers=headers)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return times, response.json()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000, help="people behind the figures (the target: 1,000,000)")
    parser.add_argument("--per-person", type=int, default=5, help="events per person")
    parser.add_argument("--kafka-events", type=int, default=100_000, help="of them, consumed from Kafka")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="the archive in PostgreSQL instead of SQLite")
    parser.add_argument("--kafka-only", action="store_true", help="measure 1 only")
    parser.add_argument(
        "--statistic-people",
        type=int,
        default=0,
        help="also time the statistic over counters bulk-built for this many people (the target: 1,000,000)",
    )
    args = parser.parse_args()
    total_events = args.people * args.per_person
    print(f"machine: {machine()}")
    print(f"scale: {args.people:,} people, {total_events:,} events ({args.kafka_events:,} of them through Kafka)")

    from reporting.application import ReportingApplication

    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-reporting-") as tmp:
        workdir = Path(tmp)
        mongo_url = os.environ.get("VET_BENCH_MONGO_URL", "")
        bootstrap = os.environ.get("VET_BENCH_KAFKA_BOOTSTRAP", "")
        servers: list[Any] = []
        if not mongo_url:
            servers.append(SecantusServer(workdir, free_port(), cache_size="512M", name="bench-secantus"))
            mongo_url = servers[-1].url
        if not bootstrap:
            servers.append(KafkaServer(workdir, *free_ports(2), heap="512m", name="bench-kafka"))
            bootstrap = servers[-1].bootstrap
        eventstore_url = ""
        if args.postgres:
            servers.append(PostgresServer(workdir, free_port(), durable=True, name="bench-postgres"))
            eventstore_url = servers[-1].url
        for server in servers:
            server.start()
            stack.callback(server.stop)
        for server in servers:
            server.wait_ready()

        settings = Settings.for_service(
            "reporting",
            data_dir=workdir / "data",
            mongo_url=mongo_url,
            kafka_bootstrap=bootstrap,
            topic_prefix=f"bench{uuid.uuid4().hex[:6]}.",
            read_model_db=f"bench_reporting_{uuid.uuid4().hex[:6]}",
            eventstore_url=eventstore_url,
        )
        application = ReportingApplication(settings)
        stack.callback(application.close)
        feed = Feed(args.people, args.per_person)
        first_day = datetime.now(CHINA).date() - timedelta(days=ARCHIVE_DAYS)
        application.clock = FixedClock(first_day)  # the first day's arrivals; step 2 moves it a day at a time

        # 1. Kafka -> archive.
        from vet_common.worker import ensure_topics

        asyncio.run(ensure_topics(settings))
        kafka_people = max(1, args.kafka_events // args.per_person)
        events = feed.events(0, kafka_people)
        produced = asyncio.run(produce(bootstrap, settings.topic("registry"), events))
        print(f"produced {len(events):,} events to Kafka in {produced:.1f} s ({len(events) / produced:,.0f}/s)")
        steady, overall, cpu = asyncio.run(consume(settings, application, len(events)))
        print(
            f"1. consumed and archived from Kafka into {'PostgreSQL' if args.postgres else 'SQLite'}: "
            f"{len(events) / steady:,.0f} events/s ({len(events):,} in {steady:.1f} s from the first batch; "
            f"{overall:.1f} s with the group join); CPU {cpu / len(events) * 1e6:.0f} µs an event "
            f"({len(events) / cpu:,.0f}/s on a core of its own); load average {os.getloadavg()[0]:.1f}"
        )
        if args.kafka_only:
            return

        # 2. The rest of the archive, without Kafka.
        started = time.perf_counter()
        chunk = 2000 // args.per_person
        for first in range(kafka_people, args.people, chunk):
            done = (first - kafka_people) / max(1, args.people - kafka_people)
            application.clock = FixedClock(first_day + timedelta(days=1 + int(done * (ARCHIVE_DAYS - 1))))
            application.archive_batch(feed.events(first, min(first + chunk, args.people)))
        application.clock = SystemClock()
        elapsed = time.perf_counter() - started
        rest = total_events - len(events)
        if rest > 0:
            print(
                f"2. archived directly (batches of 2,000): {rest / elapsed:,.0f} events/s ({rest:,} in {elapsed:.0f} s)"
            )

        # 3. Rebuild against the store's raw bulk-write rate.
        raw = asyncio.run(raw_bulk_rate(mongo_url, 200_000))
        count, seconds = asyncio.run(rebuild(settings, application))
        rate = total_events / seconds  # events: each also has its receipt in the log, which the projector skips
        print(
            f"3. rebuild: {total_events:,} events ({count:,} notifications with their receipts) in {seconds:.0f} s = "
            f"{rate:,.0f} events/s; SecantusDB raw insert_many {raw:,.0f} docs/s; ratio {rate / raw:.2f}; load "
            f"average {os.getloadavg()[0]:.1f}"
        )

        # 4. A province-wide statistic.
        province_statistic(settings, args.requests, "4.", application)
        if args.statistic_people:
            bulk = settings.model_copy(update={"read_model_db": f"bench_bulk_{uuid.uuid4().hex[:6]}"})
            started = time.perf_counter()
            folded, written = asyncio.run(bulk_counters(bulk, Feed(args.statistic_people, args.per_person)))
            print(
                f"4b. counters bulk-built for {args.statistic_people:,} people: {folded:,} events folded in memory by "
                f"the projector's tally (no Kafka, archive or projector round trips), {written:,} counter documents "
                f"written, in {time.perf_counter() - started:.0f} s"
            )
            province_statistic(bulk, args.requests, "4b.")


if __name__ == "__main__":
    main()
