"""Benchmark of assistance (`make bench-assistance`): prints its figures and the machine. Not a test.

1. Approvals per second on ONE fund under concurrency: every approval reserves from the same budget. In one
   process they take turns on a lock per fund; across two (two applications on one store, as two api workers)
   they conflict and are decided again: the conflicts retried are printed.
2. The same number of approvals spread over many funds (no contention on one budget).
3. A payroll of 100,000 enrolments: computed from the fund's roll in the event store (64 shares, one line per
   enrolment payable that month), approved, released and exported as XLSX and CSV (target < 30 s).

Runs on the SQLite event store in a temporary folder (`--postgres` starts a PostgreSQL of its own, or uses
VET_BENCH_POSTGRES_URL). `--enrolments N` scales part 3.
"""

from __future__ import annotations

import argparse
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

from assistance.api.entitlements import BANK_COLUMNS, bank_rows
from assistance.application import AssistanceApplication
from assistance.domain import Enrolment, EnrolmentRoll
from assistance.identities import Identity
from assistance.policies import reactions
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


def enrol_many(app: AssistanceApplication, fund_id: Any, count: int) -> float:
    """Setup, not measured: enrolments and their entries in the fund's roll saved as events in batches (the
    commands' checks per person are what the approval figures measure), then a snapshot of each share of the
    roll, as saving them one by one would have taken every 100 events."""
    started = time.perf_counter()
    shares = [EnrolmentRoll(fund_id=str(fund_id), share=n) for n in range(EnrolmentRoll.SHARES)]
    events: list[Any] = [event for share in shares for event in share.collect_events()]
    for n in range(count):
        enrolment = Enrolment(
            fund_id=str(fund_id),
            person_id=f"person-{n:06d}",
            region=f"{VILLAGE[:9]}{n % 300:03d}",
            monthly_fen=20_000,
            start_month="2026-01",
            proposed=False,
            actor=ACTOR,
            yearly_fen=None,
            pay_month=None,
        )
        share = shares[enrolment.id.int % EnrolmentRoll.SHARES]
        share.add(enrolment)
        events += [*enrolment.collect_events(), *share.collect_events()]
        if len(events) >= 10_000:
            app.save_events(events)
            events = []
    app.save_events(events)
    for share in shares:
        app.take_snapshot(share.id)
    return time.perf_counter() - started


def payroll(app: AssistanceApplication, fund_id: Any) -> list[str]:
    timings, started = [], time.perf_counter()
    computed, _ = app.compute_payroll(fund_id, "2026-09", OFFICER)
    timings.append(
        (
            f"compute {len(computed.lines):,} lines from the fund's roll (the payroll, its own claim on them)",
            time.perf_counter() - started,
        )
    )
    mark = time.perf_counter()
    app.approve_payroll(computed.id, APPROVER)
    released = app.release_payroll(computed.id, OFFICER)
    timings.append(("approve and release", time.perf_counter() - mark))
    mark = time.perf_counter()
    # The payees' names, ID numbers and accounts come from the registry's POST /persons/reveal (not measured here).
    payees = {
        line[1]: Identity("张三", f"35010219600801{n % 10_000:04d}", "中国农业银行", f"62284804{n:011d}")
        for n, line in enumerate(released.lines)
    }
    rows = bank_rows(released, payees)
    workbook = xlsx_streamed(Sheet("2026-09发放表", BANK_COLUMNS, rows, masked=False))
    timings.append((f"export XLSX ({len(workbook) / 1e6:.1f} MB)", time.perf_counter() - mark))
    mark = time.perf_counter()
    text = csv_bytes(BANK_COLUMNS, rows, masked=False)
    timings.append((f"export CSV ({len(text) / 1e6:.1f} MB)", time.perf_counter() - mark))
    total = time.perf_counter() - started
    lines = [f"  {what}: {seconds:.2f} s" for what, seconds in timings]
    return [f"payroll of {len(computed.lines):,} enrolments: {total:.1f} s in all (target < 30 s)", *lines]


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
        from vet_devtools.stack import PostgresServer, free_port

        postgres_url = os.environ.get("VET_BENCH_POSTGRES_URL", "")
        if args.postgres and not postgres_url:
            postgres = PostgresServer(workdir, free_port(), durable=True, name="bench-postgres")
            postgres.start()
            postgres.wait_ready()
            stack.callback(postgres.stop)
            postgres_url = postgres.url
        settings = Settings.for_service(
            "assistance",
            data_dir=workdir,
            eventstore_url=postgres_url if args.postgres else "",
        )
        app = AssistanceApplication(settings, clock=FixedClock(date(2026, 8, 20)))
        stack.callback(app.close)

        print(f"machine: {machine()}")
        print(f"load average before: {os.getloadavg()[0]:.1f} (others' work on the machine counts in the rates)")
        store = "PostgreSQL" if args.postgres else "SQLite (WAL, one file)"
        print(f"event store: {store}, AES-GCM bodies, group commit on")
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
        setup = enrol_many(app, regular, args.enrolments)
        print(f"(setup: {args.enrolments:,} enrolments and the fund's roll saved in {setup:.1f} s)")
        for line in payroll(app, regular):
            print(line)
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
