"""Chaos harness (`make chaos`, MINUTES=10): the whole platform under steady load while its parts are killed.

Registrations (registry), contacts (outreach) and funds (assistance) are sent steadily, each command with an
Idempotency-Key and retried until it is answered (so a command whose answer was lost in a crash is asked
again, never done twice). Meanwhile, at random intervals, one of the services' apis and workers, Kafka, the
MongoDB-wire server or PostgreSQL is killed with SIGKILL and restarted. At the end, with the load stopped and
everything settled, it checks:

- every command answered 2xx is in its service's event store exactly once;
- every service's read models equal a full replay of its event store (`vet verify`);
- reporting's figures equal the counts in the event stores: the province's, and each county's the load wrote in
  (the load spreads people over three counties; a county's figure against the province's total is half of it).

It prints what it killed and when, and the result; exit code 1 if a check failed. Not a test (the e2e tests
run a shorter crash scenario); it starts its own Kafka, SecantusDB and PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx
import psycopg

from vet_common.entrypoint import verify
from vet_common.settings import SERVICES
from vet_devtools.stack import KafkaServer, PostgresServer, SecantusServer, free_ports
from vet_devtools.testing.platform import Platform
from vet_devtools.testing.scenarios import headers, person, today_in_china

sys.path.insert(0, str(Path(__file__).parent))
from e2e_delay import machine

log = logging.getLogger("chaos")
PROVINCE = "35"


@dataclass
class Ledger:
    """What the load was told: the id of every command answered 2xx, per kind."""

    answered: dict[str, list[str]] = field(default_factory=lambda: {"person": [], "contact": [], "fund": []})
    region_of: dict[str, str] = field(default_factory=dict)  # record id -> the region it was recorded in
    attempts: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, record_id: str, region: str) -> None:
        with self.lock:
            self.answered[kind].append(record_id)
            self.region_of[record_id] = region

    def expected_figures(self, region: str) -> dict[str, int]:
        """What reporting's /stats/summary of `region` must show: the answered records within it, once each."""
        figures = {}
        for kind, name in (("person", "persons"), ("contact", "visits"), ("fund", "funds")):
            figures[name] = sum(1 for record in set(self.answered[kind]) if self.region_of[record].startswith(region))
        return figures

    def regions(self) -> list[str]:
        """The province and every county the load wrote in: the figures compared at the end."""
        return [PROVINCE, *sorted({region[:6] for region in self.region_of.values()})]


def send(client: httpx.Client, path: str, body: dict[str, Any], stop: threading.Event, ledger: Ledger) -> Any:
    """POST until answered: the same Idempotency-Key each time, so a retry after a lost answer does nothing new."""
    key = str(uuid.uuid4())
    while not stop.is_set():
        ledger.attempts[path] += 1
        try:
            response = client.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.HTTPError:
            time.sleep(0.5)  # the api is down or restarting
            continue
        if response.status_code in (201, 202, 200):
            return response.json()
        if response.status_code == 409 and "尚未同步" in response.text:
            # Outreach does not know the person yet: a refusal, recorded as the key's answer. Nothing was done,
            # so ask again shortly as a new request (the same key would replay the refusal).
            key = str(uuid.uuid4())
            time.sleep(0.5)
            continue
        if response.status_code in (409, 500, 502, 503):
            time.sleep(0.5)  # a key still being answered after a crash (409), or a server restarting
            continue
        raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:300]}")
    return None


def load(platform: Platform, stop: threading.Event, ledger: Ledger, rate: float) -> None:
    registry = httpx.Client(base_url=platform.url("registry"), headers=headers(), timeout=10)
    outreach = httpx.Client(base_url=platform.url("outreach"), headers=headers(), timeout=10)
    assistance = httpx.Client(base_url=platform.url("assistance"), headers=headers("officer", "350102"), timeout=10)
    n = random.randrange(0, 400) * 1000
    while not stop.is_set():
        n += 1
        body = person(n)
        created = send(registry, "/persons", body, stop, ledger)
        if created is None:
            break
        ledger.record("person", created["id"], str(body["region"]))
        if n % 3 == 0:
            visit = {"person_id": created["id"], "method": "phone", "date": today_in_china(), "findings": "电话联系"}
            contact = send(outreach, "/contacts", visit, stop, ledger)
            if contact:
                ledger.record("contact", contact["id"], str(body["region"]))
        if n % 20 == 0:
            fund = {
                "name": f"临时救助{n}",
                "kind": "hardship_aid",
                "region": "350102",
                "year": 2026,
                "budget_fen": 1_000_000,
                "rules": {"amount": {"kind": "fixed", "amount_fen": 160_000}},
            }
            created_fund = send(assistance, "/funds", fund, stop, ledger)
            if created_fund:
                ledger.record("fund", created_fund["id"], str(fund["region"]))
        time.sleep(1 / rate)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=5, help="registrations per second per client")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    random.seed(seed)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)

    with ExitStack() as stack:
        # Kept after the run (git-ignored .local/): the logs of whatever did not come back are the evidence.
        work = Path(__file__).resolve().parent.parent / ".local" / "chaos" / time.strftime("%Y%m%d-%H%M%S")
        work.mkdir(parents=True)
        print(f"logs: {work / 'log'}")
        kafka_port, controller, mongo_port, pg_port = free_ports(4)
        servers = {
            "kafka": KafkaServer(work, kafka_port, controller),
            "mongo": SecantusServer(work, mongo_port),
            "postgres": PostgresServer(work, pg_port, durable=True),
        }
        for server in servers.values():
            server.start()
            stack.callback(server.stop)
        for server in servers.values():
            server.wait_ready()
        database = "vet_chaos"
        with psycopg.connect(servers["postgres"].url, autocommit=True) as connection:  # type: ignore[attr-defined]
            connection.execute(f'CREATE DATABASE "{database}"')
        platform = Platform(
            kafka_bootstrap=servers["kafka"].bootstrap,  # type: ignore[attr-defined]
            mongo_url=servers["mongo"].url,
            workdir=work,
            topic_prefix="",
            eventstore_url=urlunparse(urlparse(servers["postgres"].url)._replace(path=f"/{database}")),
        )
        platform.start_all(timeout=180)
        stack.callback(platform.stop_all)
        print(f"machine: {machine()}")
        print(f"chaos for {args.minutes:g} min, seed {seed}, {args.clients} clients x {args.rate:g} registrations/s")

        stop, ledger = threading.Event(), Ledger()
        clients = [threading.Thread(target=load, args=(platform, stop, ledger, args.rate)) for _ in range(args.clients)]
        for client in clients:
            client.start()
        started = time.monotonic()
        victims = [f"{s}:{r}" for s in SERVICES for r in ("api", "worker")] + list(servers)
        kills: Counter[str] = Counter()
        try:
            while time.monotonic() - started < args.minutes * 60:
                time.sleep(random.uniform(10, 30))
                victim = random.choice(victims)
                kills[victim] += 1
                at = time.monotonic() - started
                if victim in servers:
                    servers[victim].kill()
                    time.sleep(random.uniform(1, 5))
                    servers[victim].start()
                    servers[victim].wait_ready()
                else:
                    service, role = victim.split(":")
                    platform.kill(service, role)
                    time.sleep(random.uniform(1, 5))
                    platform.start(service, role)
                    platform.wait_healthy(service, role, timeout=180)
                answered = {kind: len(ids) for kind, ids in ledger.answered.items()}
                print(
                    f"t+{at:5.0f}s killed {victim} (SIGKILL), back after {time.monotonic() - started - at:.0f}s; "
                    f"answered so far {answered}",
                    flush=True,
                )
        finally:
            stop.set()
            for client in clients:
                client.join()
        return check(platform, ledger, kills)


def check(platform: Platform, ledger: Ledger, kills: Counter[str]) -> int:
    """The end checks; prints each and returns the exit code."""
    failures: list[str] = []
    deadline = time.monotonic() + 300
    shown: dict[str, dict[str, int]] = {}
    expected = {region: ledger.expected_figures(region) for region in ledger.regions()}
    while time.monotonic() < deadline:  # settle: the relays publish, consumers and projectors catch up
        shown = {region: summary(platform, region) for region in expected}
        if not figure_mismatches(expected, shown):
            break
        time.sleep(2)
    print(f"killed: {dict(kills)}")
    print(
        f"answered 2xx: { {kind: len(ids) for kind, ids in ledger.answered.items()} }; attempts {dict(ledger.attempts)}"
    )
    for kind, ids in ledger.answered.items():
        if len(ids) != len(set(ids)):
            failures.append(f"{kind}: {len(ids) - len(set(ids))} answers repeated an id")
    stored = stored_counts(platform)
    for kind, service, event in (
        ("person", "registry", "Person.Registered"),
        ("contact", "outreach", "Contact.Recorded"),
        ("fund", "assistance", "Fund.Created"),
    ):
        answered = len(set(ledger.answered[kind]))
        if stored[service].get(event, 0) != answered:
            failures.append(f"{service}: {stored[service].get(event, 0)} {event} events for {answered} answered")
    failures += figure_mismatches(expected, shown)
    print(f"reporting's figures: {shown}")
    for service in SERVICES:
        definition = __import__(f"{service}.service", fromlist=["definition"]).definition
        differences = asyncio.run(verify(definition, platform.settings(service), show_progress=False))
        if differences:
            failures.append(f"vet verify {service}: {differences}")
    print("result: " + ("CLEAN" if not failures else "FAILED\n  " + "\n  ".join(failures)))
    return 1 if failures else 0


def figure_mismatches(expected: dict[str, dict[str, int]], shown: dict[str, dict[str, int]]) -> list[str]:
    """Each region whose figures in reporting differ from the answered commands within it."""
    return [
        f"reporting shows {region}: { {name: shown.get(region, {}).get(name) for name in figures} }, "
        f"the answered commands {figures}"
        for region, figures in expected.items()
        if any(shown.get(region, {}).get(name) != count for name, count in figures.items())
    ]


def summary(platform: Platform, region: str) -> dict[str, int]:
    try:
        response = httpx.get(
            f"{platform.url('reporting')}/stats/summary",
            params={"region": region},
            headers=headers("officer", "35"),
            timeout=10,
        )
        return response.json() if response.status_code == 200 else {}  # type: ignore[no-any-return]
    except httpx.HTTPError:
        return {}


def stored_counts(platform: Platform) -> dict[str, Counter[str]]:
    """How many events of each class (Aggregate.Event) each service's event store holds."""
    counts: dict[str, Counter[str]] = {}
    for service in ("registry", "outreach", "assistance"):
        application = platform.application(service)
        try:
            kinds: Counter[str] = Counter()
            start = 1
            while True:
                batch = application.recorder.select_notifications(start, 1000)
                if not batch:
                    break
                for notification in batch:
                    kinds[notification.topic.rsplit(":", 1)[-1]] += 1  # e.g. Person.Registered
                start = batch[-1].id + 1
            counts[service] = kinds
        finally:
            application.close()
    return counts


if __name__ == "__main__":
    sys.exit(main())
