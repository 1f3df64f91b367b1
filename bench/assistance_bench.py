"""Benchmark of assistance (`make bench-assistance`): prints its figures and the machine. Not a test.

1. Approvals per second on ONE fund under concurrency: every approval reserves from the same budget. In one
   process they take turns on a lock per fund; across two (two applications on one store, as two api workers)
   they conflict and are decided again: the conflicts retried are printed.
2. The same number of approvals spread over many funds (no contention on one budget).
3. A payroll of 100,000 enrolments: read from the read model, computed (one line each, checked against the
   fund's endings in the event store), approved, released and exported as XLSX and CSV (target < 30 s).

Runs on the SQLite event store in a temporary folder (`--postgres` starts a PostgreSQL of its own, or uses
VET_BENCH_POSTGRES_URL) and a SecantusDB of its own (or VET_BENCH_MONGO_URL). `--enrolments N` scales part 3.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from assistance import queries
from assistance.api.entitlements import BANK_COLUMNS, bank_rows
from assistance.application import AssistanceApplication
from assistance.domain import Enrolment
from assistance.policies import reactions
from assistance.projections import AssistanceProjection, enrolment_view
from assistance.rules import Facts, FundKind, Rules
from vet_common.auth import Principal, Role
from vet_common.domain import Actor, FixedClock
from vet_common.settings import Settings
from vet_common.spreadsheets import Sheet, csv_bytes, xlsx_streamed
from vet_devtools.testing.people import RegistryFeed

sys.path.insert(0, str(Path(__file__).parent))
from e2e_delay import machine

STATION = Principal(sub="s", name="站", roles=frozenset({Role.station_staff}), region="350102001")
APPROVER = Principal(sub="a", name="审", roles=frozenset({Role.approver}), region="350102")
OFFICER = Principal(sub="o", name="局", roles=frozenset({Role.officer}), region="350102")
ACTOR = Actor(sub="o", role="officer")
VILLAGE = "350102001001"


def fund(app: AssistanceApplication, kind: FundKind, rules: dict[str, Any], budget_fen: int = 10**12) -> Any:
    return app.create_fund(
        name="基准测试资金",
        kind=kind,
        region="350102",
        year=2026,
        budget_fen=budget_fen,
        rules=Rules.model_validate(rules),
        actor=ACTOR,
    )


def accepted(app: AssistanceApplication, funds: list[Any], count: int, feed: RegistryFeed) -> list[Any]:
    ids = []
    for number in range(count):
        person = f"bench-{uuid.uuid4().hex[:10]}"
        reactions.process(app, feed.registered(person, VILLAGE))
        application = app.submit(
            fund_id=funds[number % len(funds)],
            person_id=person,
            on_behalf_of=True,
            facts=Facts(),
            documents=[],
            principal=STATION,
        )
        app.accept(application, STATION)
        ids.append(application)
    return ids


def approvals(apps: list[AssistanceApplication], funds: list[Any], count: int, clients: int, feed: RegistryFeed) -> str:
    """Approvals by `clients` threads; with several applications (as several api processes have), each
    approval goes to the next one, so only the event store's optimistic concurrency stands between them."""
    ids = accepted(apps[0], funds, count, feed)
    retried_before = sum(app.conflicts_retried for app in apps)
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda n: apps[n % len(apps)].approve(ids[n], "同意", APPROVER), range(count)))
    seconds = time.perf_counter() - started
    retries = sum(app.conflicts_retried for app in apps) - retried_before
    return (
        f"{count} approvals, {clients} clients, {len(apps)} application(s), {len(funds)} fund(s): "
        f"{count / seconds:,.0f}/s ({seconds:.2f} s); conflicts retried {retries} ({retries / count:.0%} of approvals)"
    )


async def enrol_many(app: AssistanceApplication, settings: Settings, fund_id: Any, count: int) -> float:
    """Setup, not measured: enrolments saved in batches and their read-model documents written as the projector
    writes them (the commands' checks per person are what the approval figures measure)."""
    started = time.perf_counter()
    client: AsyncMongoClient[Any] = AsyncMongoClient(settings.mongo_url)
    db = client[settings.read_model_db_name]
    await AssistanceProjection(app).setup(db)
    for start in range(0, count, 5000):
        batch = [
            Enrolment(
                fund_id=str(fund_id),
                person_id=f"person-{n:06d}",
                region=VILLAGE,
                monthly_fen=20_000,
                start_month="2026-01",
                proposed=False,
                actor=ACTOR,
            )
            for n in range(start, min(start + 5000, count))
        ]
        app.save(*batch)
        await db.enrolments.insert_many([{"_id": str(e.id), **enrolment_view(e), "version": 1} for e in batch])
    await client.close()
    return time.perf_counter() - started


async def payroll(app: AssistanceApplication, settings: Settings, fund_id: Any) -> list[str]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(settings.mongo_url)
    db = client[settings.read_model_db_name]
    timings, started = [], time.perf_counter()
    candidates = await queries.active_enrolments(db, str(fund_id))
    await client.close()
    timings.append(("read the active enrolments", time.perf_counter() - started))
    mark = time.perf_counter()
    computed, _ = app.compute_payroll(fund_id, "2026-09", candidates, OFFICER)
    timings.append(
        (f"compute {len(computed.lines):,} lines (the payroll, its own claim on them)", time.perf_counter() - mark)
    )
    mark = time.perf_counter()
    app.approve_payroll(computed.id, APPROVER)
    released = app.release_payroll(computed.id, OFFICER)
    timings.append(("approve and release", time.perf_counter() - mark))
    mark = time.perf_counter()
    rows = bank_rows(released)
    workbook = xlsx_streamed(Sheet("2026-09发放表", BANK_COLUMNS, rows, masked=False))
    timings.append((f"export XLSX ({len(workbook) / 1e6:.1f} MB)", time.perf_counter() - mark))
    mark = time.perf_counter()
    text = csv_bytes(BANK_COLUMNS, rows, masked=False)
    timings.append((f"export CSV ({len(text) / 1e6:.1f} MB)", time.perf_counter() - mark))
    total = time.perf_counter() - started
    lines = [f"  {what}: {seconds:.2f} s" for what, seconds in timings]
    return [f"payroll of {len(candidates):,} enrolments: {total:.1f} s in all (target < 30 s)", *lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--approvals", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--funds", type=int, default=16, help="funds the second round spreads its approvals over")
    parser.add_argument("--enrolments", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL event store instead of SQLite")
    args = parser.parse_args()

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vet-bench-assistance-")))
        from vet_devtools.stack import PostgresServer, SecantusServer, free_port

        postgres_url = os.environ.get("VET_BENCH_POSTGRES_URL", "")
        if args.postgres and not postgres_url:
            postgres = PostgresServer(workdir, free_port(), durable=True, name="bench-postgres")
            postgres.start()
            postgres.wait_ready()
            stack.callback(postgres.stop)
            postgres_url = postgres.url
        mongo_url = os.environ.get("VET_BENCH_MONGO_URL", "")
        if not mongo_url:
            mongo = SecantusServer(workdir, free_port(), cache_size="2G", name="bench-secantus")
            mongo.start()
            mongo.wait_ready()
            stack.callback(mongo.stop)
            mongo_url = mongo.url
        settings = Settings.for_service(
            "assistance",
            data_dir=workdir,
            eventstore_url=postgres_url if args.postgres else "",
            mongo_url=mongo_url,
            read_model_db=f"bench_{uuid.uuid4().hex[:6]}",
        )
        app = AssistanceApplication(settings, clock=FixedClock(date(2026, 8, 20)))
        stack.callback(app.close)

        print(f"machine: {machine()}")
        print(f"load average before: {os.getloadavg()[0]:.1f} (others' work on the machine counts in the rates)")
        store = "PostgreSQL" if args.postgres else "SQLite (WAL, one file)"
        print(f"event store: {store}, AES-GCM bodies, group commit on; read model: SecantusDB")
        feed = RegistryFeed()
        hardship = {"amount": {"kind": "fixed", "amount_fen": 160_000}}
        second = AssistanceApplication(settings, clock=FixedClock(date(2026, 8, 20)))
        stack.callback(second.close)
        one = [fund(app, FundKind.temporary_hardship_aid, hardship)]
        print(approvals([app], one, args.approvals, args.clients, feed))
        print(approvals([app, second], one, args.approvals, args.clients, feed))
        many = [fund(app, FundKind.temporary_hardship_aid, hardship) for _ in range(args.funds)]
        print(approvals([app], many, args.approvals, args.clients, feed))

        regular = fund(app, FundKind.regular_entitlement, {"amount": {"kind": "monthly"}})
        setup = asyncio.run(enrol_many(app, settings, regular, args.enrolments))
        print(f"(setup: {args.enrolments:,} enrolments saved and listed in {setup:.1f} s)")
        for line in asyncio.run(payroll(app, settings, regular)):
            print(line)


if __name__ == "__main__":
    main()
