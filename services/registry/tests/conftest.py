"""Shared fixtures for the registry's tests.

`harness` is the registry's application on an in-memory event store with a fixed clock (unit tests, no HTTP).
`api` is a TestClient on a real SQLite event store in tmp_path (no read models); `api_with_read_models`
also has read models on the MongoDB-wire server of the `mongo_url` fixture, in a database of its own, and brings
them up to date when a test calls `project()` (the projector runs in the test, as the worker runs it in
production).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from registry.application import RegistryApplication
from registry.projections import RegistryProjection
from registry.service import definition
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.domain import FixedClock
from vet_common.follower import LogFollower
from vet_common.idnumber import make_id_number
from vet_common.projector import Projector
from vet_common.relay import InMemoryPublisher, Relay
from vet_common.settings import Settings
from vet_contracts import IntegrationEvent
from vet_devtools.testing import OneRound, ServiceHarness

TOWNSHIP_A = "350102001"  # 鼓东街道
VILLAGE_A = "350102001001"
TOWNSHIP_B = "350102002"  # 鼓西街道
VILLAGE_B = "350102002001"
COUNTY = "350102"  # 鼓楼区
OTHER_COUNTY_VILLAGE = "350103001001"  # 台江区


class RegistryHarness:
    """A registry API under test, with helpers to call it as a given role and jurisdiction."""

    def freeze(self, today: date) -> FixedClock:
        """The application and the routes see `today` (noon in China) until the test ends."""
        clock = FixedClock(today)
        self.app.clock = clock
        self.client.app.state.clock = clock  # type: ignore[attr-defined]
        return clock

    def published(self) -> list[IntegrationEvent]:
        """Everything the relay publishes from the event store so far (in-memory broker)."""
        publisher = InMemoryPublisher()
        relay = Relay(self.app, definition.translator_factory(self.app), publisher, self.settings.topic("registry"))

        async def drain() -> None:
            while await relay.run_once():
                pass

        asyncio.run(drain())
        return [event for events in publisher.published.values() for event in events]

    def __init__(self, client: TestClient, settings: Settings, mongo_url: str | None = None) -> None:
        self.client = client
        self.settings = settings
        self.mongo_url = mongo_url
        self._sequence = itertools.count(1)

    @property
    def app(self) -> RegistryApplication:
        return self.client.app.state.application  # type: ignore[attr-defined,no-any-return]

    def headers(
        self, role: str = "station_staff", region: str = TOWNSHIP_A, sub: str = "staff-1", purpose: str | None = None
    ) -> dict[str, str]:
        token = issue_token(self.settings, sub=sub, name="王芳", roles=[role], region=region)
        headers = {"Authorization": f"Bearer {token}"}
        if purpose is not None:
            headers["X-Purpose"] = purpose
        return headers

    def id_number(self, birth: date = date(1960, 8, 1), sex: str = "male", county: str = COUNTY) -> str:
        return make_id_number(county, birth, next(self._sequence), sex)  # type: ignore[arg-type]

    def person(self, birth: date = date(1960, 8, 1), sex: str = "male", **overrides: Any) -> dict[str, Any]:
        return {
            "id_number": self.id_number(birth, sex),
            "name": "张三",
            "region": VILLAGE_A,
            "categories": ["discharged_soldier"],
            **overrides,
        }

    def register(
        self,
        birth: date = date(1960, 8, 1),
        sex: str = "male",
        headers: dict[str, str] | None = None,
        **overrides: Any,
    ) -> str:
        """Register a person (by default in village A, by a station worker of township A); returns the id."""
        region = str(overrides.get("region", VILLAGE_A))
        response = self.client.post(
            "/persons",
            json=self.person(birth, sex, **overrides),
            headers=headers or self.headers(region=region[:9]),
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def get(self, person_id: str, headers: dict[str, str] | None = None, **params: Any) -> dict[str, Any]:
        response = self.client.get(f"/persons/{person_id}", headers=headers or self.headers(), params=params)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def change(self, person_id: str, route: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return self.client.post(f"/persons/{person_id}/{route}", json=body, headers=headers or self.headers())

    # Read models ----------------------------------------------------------------------------------------------

    @property
    def db_name(self) -> str:
        return self.settings.read_model_db_name

    def project(self) -> int:
        """Bring the read models up to date; returns how many notifications were applied."""
        assert self.mongo_url, "this test needs the api_with_read_models fixture"

        async def catch_up() -> int:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                projection = RegistryProjection(self.app)
                projector = Projector(self.app, client[self.db_name], projection)
                await projection.setup(client[self.db_name])
                total = 0
                while count := await projector.run_once():
                    total += count
                return total
            finally:
                await client.close()

        return asyncio.run(catch_up())

    def with_read_models(self, work: Any) -> Any:
        """Run `await work(db)` on the read-model database (e.g. registry.alert_scan.raise_due_alerts)."""

        async def run() -> Any:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                return await work(client[self.db_name])
            finally:
                await client.close()

        return asyncio.run(run())

    def run_leader_task_once(self, task: Any) -> None:
        """One round of a worker's leader task (e.g. registry.jobs.process_imports) against the read models."""

        async def once() -> None:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                await task(self.app, client[self.db_name], self.settings, OneRound())
            finally:
                await client.close()

        asyncio.run(once())

    def run_log_consumer(self, factory: Any) -> int:
        """Run a worker's log consumer (e.g. registry.jobs.flag_duplicates) until it is up to date."""

        async def catch_up() -> int:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                consumer = factory(self.app, client[self.db_name], self.settings)
                follower = LogFollower(self.app)
                total = 0
                while count := await follower.run_once(consumer):
                    total += count
                return total
            finally:
                await client.close()

        return asyncio.run(catch_up())

    def rebuild(self) -> int:
        async def rebuild() -> int:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                projector = Projector(self.app, client[self.db_name], RegistryProjection(self.app))
                return await projector.rebuild(show_progress=False)
            finally:
                await client.close()

        return asyncio.run(rebuild())

    def read_models(self) -> dict[str, list[dict[str, Any]]]:
        """Every collection's documents, sorted by _id (the projector's checkpoint left out)."""

        async def dump() -> dict[str, list[dict[str, Any]]]:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                db = client[self.db_name]
                names = sorted(n for n in await db.list_collection_names() if n != "_checkpoints")
                return {name: await db[name].find({}, sort=[("_id", 1)]).to_list() for name in names}
            finally:
                await client.close()

        return asyncio.run(dump())

    def drop(self) -> None:
        async def drop() -> None:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                await client.drop_database(self.db_name)
                await client.drop_database(f"{self.db_name}_files")
            finally:
                await client.close()

        asyncio.run(drop())


@pytest.fixture
def harness() -> ServiceHarness[RegistryApplication]:
    """The registry's application in memory; today is 1 June 2026 in China until the test moves the clock."""
    return ServiceHarness[RegistryApplication](definition, today=date(2026, 6, 1))


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RegistryHarness]:
    settings = Settings.for_service("registry", data_dir=tmp_path)
    with TestClient(create_api(definition, settings)) as client:
        yield RegistryHarness(client, settings)


@pytest.fixture
def api_with_read_models(tmp_path: Path, mongo_url: str) -> Iterator[RegistryHarness]:
    settings = Settings.for_service(
        "registry", data_dir=tmp_path, mongo_url=mongo_url, read_model_db=f"t_{uuid4().hex[:8]}"
    )
    with TestClient(create_api(definition, settings)) as client:
        harness = RegistryHarness(client, settings, mongo_url)
        try:
            yield harness
        finally:
            harness.drop()
