"""Work the registry's leading worker does beside relay and projector: imports, daily alerts, the duplicate scan."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from registry.alert_scan import raise_due_alerts
from registry.application import RegistryApplication
from registry.domain import Person
from registry.importing import forget_upload, import_files, run_import, uploaded
from vet_common.eventstore import ServiceApplication
from vet_common.follower import LogBatch, LogConsumer
from vet_common.polling import daily, poll
from vet_common.projector import CHECKPOINTS
from vet_common.regions import common_jurisdiction
from vet_common.settings import Settings

log = logging.getLogger(__name__)


async def process_imports(
    application: ServiceApplication, db: AsyncDatabase[Any], settings: Settings, stop: asyncio.Event
) -> None:
    """Run every uploaded roster whose job is not finished, oldest first; one that was interrupted continues.

    The worker's work is what was uploaded through the API: a `vet import` from the command line runs its
    own job in its own process, and has no file here.
    """
    assert isinstance(application, RegistryApplication)

    async def step() -> int:
        done = 0
        async for stored in import_files(db).find({}, {"_id": 1}):
            job_id = UUID(stored["_id"])
            job = await asyncio.to_thread(application.get_import_job, job_id)
            if job is not None and job.status == "running":
                content = await uploaded(db, application, job_id)
                if content is None:
                    continue
                log.info("importing %s (%s)", job.filename, job_id)
                await asyncio.to_thread(run_import, application, job_id, content)
                done += 1
            await forget_upload(db, job_id)  # finished (now or before a restart): the file goes
        return done

    await poll("imports", step, stop, idle_seconds=1.0)


async def daily_alerts(
    application: ServiceApplication, db: AsyncDatabase[Any], settings: Settings, stop: asyncio.Event
) -> None:
    """Raise due policy alerts at start and then once a day (each alert is raised only once)."""
    assert isinstance(application, RegistryApplication)
    await daily(
        "daily alert run: alerts raised", lambda: raise_due_alerts(application, db, application.clock.today()), stop
    )


def flag_duplicates(application: ServiceApplication, db: AsyncDatabase[Any], settings: Settings) -> LogConsumer:
    """Newly registered people who share a name and birth date with someone else are flagged for review.

    Done a few seconds after registration rather than inside it: it keeps imports fast, and a review can
    wait. It follows the notification log (not timestamps, which an import batch takes before it commits)
    and stays behind the projector, so everyone registered before is in the read model it searches.
    """
    assert isinstance(application, RegistryApplication)

    async def checkpoint(name: str) -> int:
        mark = await db[CHECKPOINTS].find_one({"_id": name})
        return int((mark or {}).get("position", 0))

    async def handle(batch: LogBatch) -> None:
        for entry in batch.entries:
            person: Any = entry.event
            same = await db.persons.find(
                {"name": person.name, "birth_date": person.birth_date.isoformat(), "status": {"$ne": "merged"}},
                {"_id": 1, "region": 1},
            ).to_list()
            if len(same) > 1:
                await asyncio.to_thread(
                    application.flag_possible_duplicate,
                    [doc["_id"] for doc in same],
                    # The case belongs to the jurisdiction that covers every record in it.
                    common_jurisdiction([doc["region"] for doc in same]),
                    person.name,
                    person.birth_date,
                )
        await db[CHECKPOINTS].update_one({"_id": "duplicates"}, {"$set": {"position": batch.position}}, upsert=True)

    return LogConsumer(
        "duplicates",
        lambda: checkpoint("duplicates"),
        handle,
        until=lambda: checkpoint("projector"),
        event_types=(Person.Registered,),  # type: ignore[attr-defined]
    )
