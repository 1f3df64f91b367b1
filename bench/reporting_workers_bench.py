"""One reporting worker against two consuming the same backlog (`make bench-reporting-workers`). Not a test.

For each round a backlog of registry events (the reporting bench's feed) is produced to a fresh topic of 6
partitions, then `--workers` real worker processes (`python -m reporting worker`, one consumer group, so the
partitions are shared 3 and 3) archive it into one PostgreSQL event store, and the leading one also counts it
(the projector). Measured: events archived per second from the first entry to the last; how much of the archive
the counters had by then (one projector, whatever the number of workers); each worker's CPU seconds; how many
batches fell back to one message at a time. The ratio of two
workers' rate to one worker's is the figure issue 12 asks for. Prints the machine and the load average.

Starts its own Kafka, SecantusDB and PostgreSQL in a temporary folder (`--sqlite` for the SQLite store).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporting.application import ReportingApplication
from vet_common.projector import CHECKPOINTS
from vet_common.settings import Settings
from vet_common.worker import ensure_topics
from vet_devtools.stack import KafkaServer, PostgresServer, SecantusServer, ServiceProcess, free_ports
from vet_devtools.testing.platform import new_database

sys.path.insert(0, str(Path(__file__).parent))
from e2e_delay import machine
from reporting_bench import Feed, produce


@dataclass
class Round:
    workers: int
    events: int
    archive_seconds: float  # from the first entry archived to the last
    counted: float  # the share of the archive's log the projector had counted when the last entry was archived
    cpu_seconds: list[float]  # each worker's user + system time
    fallbacks: int  # batches handled again one message at a time (a conflict they could not resolve)
    load: float

    @property
    def rate(self) -> float:
        return self.events / self.archive_seconds

    def line(self) -> str:
        cpu = " + ".join(f"{seconds:.0f}" for seconds in self.cpu_seconds)
        return (
            f"{self.workers} worker{'s' if self.workers > 1 else ' '}: {self.rate:,.0f} events/s archived "
            f"({self.events:,} in {self.archive_seconds:.1f} s), {self.counted:.0%} of it counted by then; "
            f"worker CPU {cpu} s ({sum(self.cpu_seconds) / self.archive_seconds:.0%} of a core while archiving); "
            f"{self.fallbacks} batches one by one; load average {self.load:.1f}"
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def projected(mongo_url: str, database: str) -> int:
    from pymongo import MongoClient

    client: MongoClient[Any] = MongoClient(mongo_url)
    try:
        checkpoint = client[database][CHECKPOINTS].find_one({"_id": "projector"})
        return int(checkpoint["position"]) if checkpoint else 0
    finally:
        client.close()


def run_round(workers: int, events: int, env: dict[str, str], work: Path, postgres: str, feed: Feed) -> Round:
    prefix = f"w{workers}{uuid.uuid4().hex[:6]}."
    database = f"bench_reporting_{prefix.strip('.')}"
    env = {
        **env,
        "VET_TOPIC_PREFIX": prefix,
        "VET_CONSUMER_GROUP_PREFIX": f"{prefix}vet.",
        "VET_READ_MODEL_DB": database,
        "VET_DATA_DIR": str(work / prefix),
        "VET_POLL_INTERVAL_SECONDS": "0.1",
    }
    if postgres:
        env["VET_EVENTSTORE_URL"] = new_database(postgres, database)
    values = {key[4:].lower(): value for key, value in env.items() if key.startswith("VET_")}
    settings = Settings.for_service("reporting", **values)
    asyncio.run(ensure_topics(settings))
    backlog = feed.events(0, events // feed.per_person)
    asyncio.run(produce(settings.kafka_bootstrap, settings.topic("registry"), backlog))
    archive = ReportingApplication(settings)
    processes = []
    with ExitStack() as stack:
        stack.callback(archive.close)
        for port in free_ports(workers):
            process = ServiceProcess(
                work, "reporting", "worker", port + 10, env={**env, "VET_API_PORT": str(port)}, name=f"{prefix}{port}"
            )
            process.start()
            stack.callback(process.stop)
            processes.append(process)
        first = None
        deadline = time.monotonic() + 1800
        while (archived := archive.archived()) < len(backlog):
            if archived and first is None:
                first = time.monotonic()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{archived:,} of {len(backlog):,} archived after 30 minutes")
            time.sleep(0.05)
        done = time.monotonic()
        cpu = [cpu_seconds(process.record().pid) for process in processes]  # type: ignore[union-attr]
        load = os.getloadavg()[0]
        counted = projected(settings.mongo_url, database) / (archive.process_recorder.max_notification_id() or 1)
    fallbacks = sum(p.log_path.read_text(errors="ignore").count("one message at a time") for p in processes)
    return Round(workers, len(backlog), done - (first or done), counted, cpu, fallbacks, load)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=30_000, help="the backlog of each round")
    parser.add_argument("--rounds", type=int, default=1, help="each round measures one worker, then two")
    parser.add_argument("--sqlite", action="store_true", help="the SQLite event store instead of PostgreSQL")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"backlog: {args.events:,} registry events per run; event store: {'SQLite' if args.sqlite else 'PostgreSQL'}")
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-reporting-workers-")))
        kafka_port, controller, mongo_port, pg_port = free_ports(4)
        kafka = KafkaServer(work, kafka_port, controller, heap="512m", name="bench-kafka")
        mongo = SecantusServer(work, mongo_port, cache_size="512M", name="bench-secantus")
        servers: list[Any] = [kafka, mongo]
        if not args.sqlite:
            servers.append(PostgresServer(work, pg_port, durable=True, name="bench-postgres"))
        for server in servers:
            server.start()
            stack.callback(server.stop)
        for server in servers:
            server.wait_ready()
        env = {"VET_KAFKA_BOOTSTRAP": kafka.bootstrap, "VET_MONGO_URL": mongo.url, "VET_LOG_LEVEL": "INFO"}
        postgres = "" if args.sqlite else servers[-1].url
        feed = Feed(args.events // 5, 5)
        rounds: dict[int, list[Round]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for workers in (1, 2):
                measured = run_round(workers, args.events, env, work, postgres, feed)
                rounds[workers].append(measured)
                print(measured.line(), flush=True)
        one = max(r.rate for r in rounds[1])
        two = max(r.rate for r in rounds[2])
        print(f"ratio two workers / one (best of {args.rounds}): {two / one:.2f}")


if __name__ == "__main__":
    main()
