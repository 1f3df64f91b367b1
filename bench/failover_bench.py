"""Benchmark of a worker's failover (`make bench-failover`): prints its figures and the machine. Not a test.

Two registry workers share one event store: one leads (relay and projector), the other waits on the leader
lock. Under a steady stream of `POST /persons`, the leader is killed with SIGKILL; measured is how long until the
standby publishes the first event recorded after the kill (target < 10 s), and whether every registration
answered 201 reached Kafka (nothing lost; copies, which consumers drop by event_id, are counted). Repeated
`--rounds` times, each round killing whichever worker leads.

Starts its own Kafka and SecantusDB in a temporary folder; the event store is SQLite (the leader lock an flock)
or, with `--postgres`, PostgreSQL (a session advisory lock).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer

from vet_common.auth import issue_token
from vet_common.idnumber import make_id_number
from vet_common.settings import Settings
from vet_contracts import IntegrationEvent
from vet_devtools.stack import KafkaServer, PostgresServer, SecantusServer, ServiceProcess, free_ports

sys.path.insert(0, str(Path(__file__).parent))
from e2e_delay import machine


class Arrivals:
    """Every registry event reaching Kafka: (arrival time, person id, occurred_at), read on a thread of its own."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.seen: list[tuple[float, str, float]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        consumer = AIOKafkaConsumer(
            "vet.registry.v1", bootstrap_servers=self.bootstrap, auto_offset_reset="earliest", group_id=None
        )
        await consumer.start()
        try:
            while not self.stop.is_set():
                for messages in (await consumer.getmany(timeout_ms=200)).values():
                    now = time.time()
                    for message in messages:
                        event = IntegrationEvent.from_bytes(message.value)
                        self.seen.append((now, event.aggregate_id, event.occurred_at.timestamp()))
        finally:
            await consumer.stop()


def person(n: int) -> dict[str, object]:
    """A valid registration, distinct for n below 500 * 20,000."""
    birth = date(1940, 1, 1) + timedelta(days=n % 20_000)
    return {
        "id_number": make_id_number("350102", birth, n // 20_000 % 500, "male" if n % 2 else "female"),
        "name": "基准" + "".join("零一二三四五六七八九"[int(digit)] for digit in str(n)),
        "region": "350102001001",
        "categories": ["discharged_soldier"],
    }


def leader(workers: list[ServiceProcess]) -> ServiceProcess:
    """The worker whose log says it took the lead last (the standby's says nothing until it does)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        leading = [w for w in workers if w.running() and "is the leader" in w.log_path.read_text(errors="ignore")]
        if leading:
            return max(leading, key=lambda w: w.log_path.stat().st_mtime)
        time.sleep(0.5)
    raise RuntimeError("no worker took the lead within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=10.0, help="registrations per second")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # a topic still electing leaders is not news

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vet-failover-")))
        kafka_port, controller, mongo_port, api_port, first, second = free_ports(6)
        kafka = KafkaServer(work, kafka_port, controller)
        mongo = SecantusServer(work, mongo_port)
        servers: list[object] = [kafka, mongo]
        env = {
            "VET_KAFKA_BOOTSTRAP": kafka.bootstrap,
            "VET_MONGO_URL": mongo.url,
            "VET_DATA_DIR": str(work / "data"),
            "VET_LOG_LEVEL": "INFO",
        }
        if args.postgres:
            (pg_port,) = free_ports(1)
            postgres = PostgresServer(work, pg_port, durable=True)
            servers.append(postgres)
            env["VET_EVENTSTORE_URL"] = postgres.url
        for server in servers:
            server.start()  # type: ignore[attr-defined]
            stack.callback(server.stop)  # type: ignore[attr-defined]
        for server in servers:
            server.wait_ready()  # type: ignore[attr-defined]
        api = ServiceProcess(work, "registry", "api", api_port, env={**env, "VET_API_PORT": str(api_port)})
        # Each worker's health port is its VET_API_PORT + 10: two workers need two.
        workers = [
            ServiceProcess(work, "registry", "worker", port + 10, env={**env, "VET_API_PORT": str(port)}, name=name)
            for port, name in ((first, "worker-a"), (second, "worker-b"))
        ]
        for process in (api, *workers):
            process.start()
            stack.callback(process.stop)
        for process in (api, *workers):
            process.wait_ready()

        arrivals = Arrivals(kafka.bootstrap)
        arrivals.thread.start()
        stack.callback(arrivals.stop.set)
        token = issue_token(Settings(), sub="bench", name="bench", roles=["station_staff"], region="350102")
        registered: list[str] = []
        posting = threading.Event()

        def post_steadily() -> None:
            with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
                n = 0
                while not posting.is_set():
                    response = http.post("/persons", json=person(n))
                    if response.status_code == 201:
                        registered.append(response.json()["id"])
                    n += 1
                    time.sleep(1 / args.rate)

        poster = threading.Thread(target=post_steadily, daemon=True)
        poster.start()
        print(f"machine: {machine()}")
        print(f"event store: {'PostgreSQL' if args.postgres else 'SQLite'}; {args.rate:.0f} registrations/s")
        takeovers: list[float] = []
        try:
            for round_ in range(1, args.rounds + 1):
                time.sleep(5)
                victim = leader(workers)
                killed_at = time.time()
                os.kill(victim.record().pid, signal.SIGKILL)  # type: ignore[union-attr]
                deadline = time.time() + 60
                while time.time() < deadline and not any(occurred > killed_at for _, _, occurred in arrivals.seen):
                    time.sleep(0.05)
                after = [arrived for arrived, _, occurred in arrivals.seen if occurred > killed_at]
                takeover = min(after) - killed_at if after else float("inf")
                takeovers.append(takeover)
                print(f"round {round_}: killed {victim.name} (SIGKILL); the standby published {takeover:.1f} s later")
                victim.pid_path.unlink(missing_ok=True)
                victim.start()  # back as the standby
                victim.wait_ready()
            time.sleep(5)
        finally:
            posting.set()
            poster.join()
        deadline = time.time() + 60
        while time.time() < deadline and not set(registered) <= {pid for _, pid, _ in arrivals.seen}:
            time.sleep(0.2)
        published = [pid for _, pid, _ in arrivals.seen]
        lost = set(registered) - set(published)
        print(
            f"takeover: median {statistics.median(takeovers):.1f} s, slowest {max(takeovers):.1f} s "
            f"(target < 10 s); {len(registered)} registrations answered 201, {len(lost)} not in Kafka, "
            f"{len(published) - len(set(published))} published twice (dropped by event_id downstream)"
        )


if __name__ == "__main__":
    main()
