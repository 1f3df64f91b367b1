"""`vet rebuild` leads the service while it drops and replays the read models: it refuses, changing nothing, while a
worker leads (its projector would write into the database being rebuilt: once a village came out 5 short), runs
when none does, and a worker started during the replay waits as a standby until it is done. On both event stores
(an flock beside the SQLite file, a PostgreSQL advisory lock). With the real worker: tests/test_e2e_pipeline.py."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pymongo import MongoClient

from registry.application import RegistryApplication
from registry.domain import Registration
from registry.service import definition
from vet_common.domain import Actor
from vet_common.entrypoint import REFUSED, rebuild, run
from vet_common.eventstore import ServiceApplication
from vet_common.idnumber import make_id_number
from vet_common.leader import WORKER, LeaderBusy, leader_lock
from vet_common.projector import Projection, ReadModelBatch
from vet_common.settings import Settings

pytestmark = pytest.mark.integration
STAFF = Actor(sub="s1", role="station_staff")
MARK = "left_by_the_live_projector"  # a collection only the live read models have: a rebuild drops it


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, mongo_url: str) -> Iterator[Settings]:
    overrides: dict[str, Any] = {"data_dir": tmp_path, "mongo_url": mongo_url}
    overrides["read_model_db"] = f"rebuild_{uuid.uuid4().hex[:8]}"
    if request.param == "postgres":
        postgres_url: str = request.getfixturevalue("postgres_url")
        name = f"rebuild_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        overrides["eventstore_url"] = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    registered = Settings.for_service("registry", **overrides)
    registry = RegistryApplication(registered)
    try:
        for n in range(3):
            birth = date(1950, 1, 1 + n)
            registry.register_person(
                Registration(
                    id_number=make_id_number("350102", birth, n, "male"),
                    name=f"测试{n}",
                    sex="male",
                    birth_date=birth,
                    region="350102001001",
                    categories=["discharged_soldier"],
                ),
                STAFF,
            )
    finally:
        registry.close()
    yield registered
    with MongoClient(mongo_url) as client:
        client.drop_database(registered.read_model_db_name)


def collections(settings: Settings) -> dict[str, int]:
    with MongoClient(settings.mongo_url) as client:
        db = client[settings.read_model_db_name]
        return {name: db[name].count_documents({}) for name in db.list_collection_names()}


def mark_read_models(settings: Settings) -> None:
    with MongoClient(settings.mongo_url) as client:
        client[settings.read_model_db_name][MARK].insert_one({"_id": 1})


def test_no_worker_rebuild_runs_and_a_leading_worker_makes_it_refuse_changing_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    replayed = asyncio.run(rebuild(definition, settings, show_progress=False))
    assert replayed > 0
    assert collections(settings)["persons"] == 3

    mark_read_models(settings)
    before = collections(settings)
    worker = leader_lock(settings, WORKER)
    assert worker.try_acquire()  # as the leading worker holds it while its relay and projector run
    try:
        with pytest.raises(LeaderBusy, match=r"Stop every registry worker \(`docker compose stop registry-worker`"):
            asyncio.run(rebuild(definition, settings, show_progress=False))
        assert collections(settings) == before  # nothing dropped, nothing replayed

        # The command line: its own exit code, and the message on standard error.
        for name, value in {
            "VET_DATA_DIR": str(settings.data_dir),
            "VET_MONGO_URL": settings.mongo_url,
            "VET_READ_MODEL_DB": settings.read_model_db_name,
            "VET_EVENTSTORE_URL": settings.eventstore_url,
        }.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        assert run(definition, ["rebuild"]) == REFUSED
        error = capsys.readouterr().err
        assert "another process leads registry" in error
        assert "run `vet rebuild registry` again" in error
        assert collections(settings) == before
    finally:
        worker.release()

    # The worker stopped: the rebuild runs, and the live projector's leftovers are gone.
    assert asyncio.run(rebuild(definition, settings, show_progress=False)) == replayed
    after = collections(settings)
    assert MARK not in after
    assert after["persons"] == 3


class WorkerStartsMidway:
    """The registry's projection, and a worker trying to lead when the replay applies its first event."""

    def __init__(self, application: ServiceApplication, settings: Settings, attempts: list[bool]) -> None:
        self.projection: Projection = definition.projection_factory(application)
        self.settings = settings
        self.attempts = attempts

    async def setup(self, db: Any) -> None:
        await self.projection.setup(db)

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if not self.attempts:
            worker = leader_lock(self.settings, WORKER)
            self.attempts.append(worker.try_acquire())
            worker.release()
        await self.projection.apply(batch, event, position)


def test_a_worker_started_during_the_rebuild_stays_standby_until_it_ends(settings: Settings) -> None:
    attempts: list[bool] = []
    probing = dataclasses.replace(
        definition, projection_factory=lambda application: WorkerStartsMidway(application, settings, attempts)
    )
    assert asyncio.run(rebuild(probing, settings, show_progress=False)) > 0
    assert attempts == [False]

    worker = leader_lock(settings, WORKER)
    assert worker.try_acquire()  # the rebuild let go: the standby worker now leads
    worker.release()
