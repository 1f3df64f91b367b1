"""Benchmark of launching a campaign (`make bench-campaigns`): prints its figures and the machine. Not a test.

With 200,000 people of one city in outreach's people read model and its target facets, 40,000 of them in the target
groups (the Lishui 八一 rule: unemployed, living in difficulty, widowed or alone, aged 80 or over), it times
`POST /campaigns/{id}/launch`'s two steps as the route runs them: choosing the targets from the read model, and
freezing them (40,000 CampaignTarget aggregates in batches, then TargetListFrozen) into the PostgreSQL event store.
With --project it then times the projector counting them into the progress counters. Target: launch < 10 s.

Starts its own PostgreSQL and SecantusDB in a temporary folder (or uses VET_BENCH_POSTGRES_URL and
VET_BENCH_MONGO_URL); `--sqlite` uses a SQLite event store instead. `--people`/`--targets` scale it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from outreach.application import OutreachApplication
from outreach.domain.campaigns import Deadlines, TargetGroup, TargetRule
from outreach.projections import OutreachProjection
from outreach.projections.buckets import bucketed
from outreach.projections.campaigns import progress, select_targets
from outreach.projections.targeting import FACETS, entry, facet_groups
from vet_common.auth import Principal, Role
from vet_common.domain import Actor, FixedClock
from vet_common.jurisdiction import JURISDICTIONS, region_keys
from vet_common.projector import Projector
from vet_common.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))
from e2e_delay import machine
from servers import bench_servers

CITY = "3311"  # 丽水市
RULE = TargetRule(
    (
        TargetGroup(code="unemployed", key_contact_reasons=("unemployed",)),
        TargetGroup(code="in_difficulty", key_contact_reasons=("living_in_difficulty",)),
        TargetGroup(code="widowed_or_alone", key_contact_reasons=("widowed_orphaned_alone",)),
        TargetGroup(code="aged_80_plus", min_age=80, age_on=date(2022, 8, 1)),
    )
)
REASONS = ("unemployed", "living_in_difficulty", "widowed_orphaned_alone")


def townships(prefix: str) -> list[str]:
    from vet_common.divisions import division_table

    return sorted(code for code in division_table().names if len(code) == 9 and code.startswith(prefix))


def people(count: int, targets: int, seed: int = 8) -> list[dict[str, Any]]:
    """People read-model documents as PeopleProjection writes them; the first `targets` are in a target group."""
    rng = random.Random(seed)
    places = townships(CITY)
    docs = []
    for n in range(count):
        region = f"{places[n % len(places)]}{1 + (n // len(places)) % 20:03d}"
        target = n < targets
        old = target and n % 4 == 3  # a quarter of the targets by age alone
        reasons = [REASONS[n % 3]] if target and not old else (["meritorious"] if n % 7 == 0 else [])
        person_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        docs.append(
            {
                "_id": str(uuid.uuid4()),
                "person_id": person_id,
                "region": region,
                JURISDICTIONS: region_keys(region),
                "status": "active",
                "categories": ["discharged_soldier"],
                "key_contact_reasons": reasons,
                "key_contact": bool(reasons),
                "birth_year": rng.randint(1930, 1942) if old else rng.randint(1945, 2000),
                "sex": "male",
                "household": rng.choice(("rural", "urban")),
                "disability_level": None,
                "registry_version": 1,
                "version": 1,
            }
        )
    return docs


async def run(
    settings: Settings, mongo_url: str, count: int, targets: int, with_people_docs: bool, project: bool
) -> None:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    db = client[settings.read_model_db_name]
    app = OutreachApplication(settings, clock=FixedClock(date(2022, 7, 16)))
    projection = OutreachProjection(app)
    await projection.setup(db)
    started = time.perf_counter()
    docs = people(count, targets)
    for start in range(0, len(docs), 10_000):
        if with_people_docs:  # the launch reads the facets; the people documents only cost loading time
            await db.people.insert_many(docs[start : start + 10_000], ordered=False)
    # The target facets as the projector leaves them after those people's registrations (built here and
    # inserted: maintaining them through ReadModelBatch.regroup is the projector's cost, not the launch's).
    grouped: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for person in docs:
        for facet_id, fields in facet_groups(person).items():
            grouped.setdefault(facet_id, (fields, []))[1].append({**entry(person), "id": person["person_id"]})
    facet_docs = [doc for facet_id, (fields, entries) in grouped.items() for doc in bucketed(facet_id, fields, entries)]
    for start in range(0, len(facet_docs), 500):
        await db[FACETS].insert_many(facet_docs[start : start + 500], ordered=False)
    facets = await db[FACETS].count_documents({})
    print(
        f"{count:,} people in {CITY}, {targets:,} in the target groups: {facets:,} target facet documents"
        f"{' and the people documents' if with_people_docs else ''} (loaded in {time.perf_counter() - started:.1f} s)"
    )

    city = Principal(sub="bench", name="bench", roles=frozenset({Role.officer}), region=CITY)
    actor = Actor(sub="bench", role="officer")
    deadlines = Deadlines(plan=date(2022, 7, 23), visits=date(2022, 8, 1), report=date(2022, 8, 2))
    campaign_id = app.plan_campaign(
        name="八一大走访", occasion="八一", region=CITY, rule=RULE, deadlines=deadlines, principal=city, actor=actor
    )

    print(f"load average before the launch: {os.getloadavg()[0]:.1f} (others' work on the machine counts)")
    started, cpu_started = time.perf_counter(), time.process_time()
    campaign = app.launchable_campaign(campaign_id, city)
    chosen = await select_targets(db, campaign)
    selected, cpu_selected = time.perf_counter(), time.process_time()
    launched = await asyncio.to_thread(app.launch_campaign, campaign_id, chosen, city, actor)
    done, cpu_done = time.perf_counter(), time.process_time()
    assert launched.targets == targets, (launched.targets, targets)
    print(
        f"launch with {launched.targets:,} targets: {done - started:.2f} s "
        f"(choosing from the read model {selected - started:.2f} s, freezing {done - selected:.2f} s "
        f"= {launched.targets / (done - selected):,.0f} targets/s)  target < 10 s"
    )
    # CPU of this process only (the servers' is not counted): what a loaded machine changes least.
    print(
        f"  CPU of the launching process: choosing {cpu_selected - cpu_started:.2f} s, freezing "
        f"{cpu_done - cpu_selected:.2f} s ({(cpu_done - cpu_selected) / launched.targets * 1e6:.0f} µs a target)"
    )

    if project:  # minutes on a busy machine: the progress counters appear after the launch, as the worker projects
        started = time.perf_counter()
        projector = Projector(app, db, projection)
        projected = 0
        while count_ := await projector.run_once():
            projected += count_
        elapsed = time.perf_counter() - started
        figures = await progress(db, str(campaign_id), CITY)
        assert figures["targets"] == targets, figures["targets"]
        print(
            f"projecting them into targets and progress counters: {projected:,} events in {elapsed:.1f} s "
            f"= {projected / elapsed:,.0f} events/s; the city's progress is one document ({len(figures['regions'])} "
            "counties below it)"
        )
        started = time.perf_counter()
        for _ in range(100):
            await progress(db, str(campaign_id), CITY)
        print(f"GET progress for the city, read side: {(time.perf_counter() - started) * 10:.1f} ms each")
    app.close()
    await client.drop_database(db.name)
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--targets", type=int, default=40_000)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite event store instead of PostgreSQL")
    parser.add_argument("--people-docs", action="store_true", help="load the people documents too (slow to load)")
    parser.add_argument("--project", action="store_true", help="then time projecting the targets into progress")
    args = parser.parse_args()

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vet-bench-")))
        postgres_url, mongo_url = bench_servers(stack, workdir, postgres=not args.sqlite)
        store: dict[str, Any] = {} if args.sqlite else {"eventstore_url": postgres_url}
        settings = Settings.for_service(
            "outreach", mongo_url=mongo_url, read_model_db=f"bench_{uuid.uuid4().hex[:6]}", data_dir=workdir, **store
        )
        print(f"machine: {machine()}")
        kind = "SQLite" if args.sqlite else "PostgreSQL (fsync on)"
        print(f"event store: {kind}, AES-GCM bodies; read model: SecantusDB")
        asyncio.run(run(settings, mongo_url, args.people, args.targets, args.people_docs, args.project))


if __name__ == "__main__":
    main()
