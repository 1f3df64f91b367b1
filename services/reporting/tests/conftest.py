"""Shared fixtures for reporting's tests.

`api` is a TestClient on a real SQLite event store in tmp_path, with read models on the MongoDB-wire server of
the `mongo_url` fixture in a database of its own. `deliver()` hands it integration events as its consumer
would; `project()` runs the projector, as the worker does; `rebuild()` replays the archive into fresh read models.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from reporting.application import ReportingApplication
from reporting.projections import ReportingProjection
from reporting.service import definition
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.domain import FixedClock
from vet_common.projector import Projector
from vet_common.settings import Settings
from vet_contracts import Actor, IntegrationEvent

COUNTY = "350102"  # 鼓楼区
TOWNSHIP_A, VILLAGE_A = "350102001", "350102001001"
TOWNSHIP_B, VILLAGE_B = "350102002", "350102002001"
OTHER_COUNTY_VILLAGE = "350103001001"  # 台江区


def upstream(type_: str, source: str, position: int, region: str, data: dict[str, Any]) -> IntegrationEvent:
    """An event of outreach or assistance, as their relays publish it."""
    return IntegrationEvent.build(
        type=type_,
        source=source,
        source_position=position,
        aggregate_id=f"{source}-{position}",
        aggregate_version=1,
        occurred_at=datetime(2026, 8, 2, tzinfo=UTC),
        actor=Actor(sub="staff-1", role="station_staff"),
        region=region,
        data=data,
    )


def contact(position: int, person_id: str, region: str = VILLAGE_A, **data: Any) -> IntegrationEvent:
    defaults = {"method": "home_visit", "contacted_on": "2026-08-02", "staff": "staff-1", "needs_follow_up": False}
    nothing = {"occasion": None, "campaign_id": None, "group_id": None}
    body = {"contact_id": f"c-{position}", "person_id": person_id, **defaults, **nothing, **data}
    return upstream("ContactRecorded", "outreach", position, region, body)


def fund_created(position: int, budget_fen: int, region: str = COUNTY) -> IntegrationEvent:
    body = {"fund_id": f"f-{position}", "name": "2026年解三难资金", "year": 2026, "budget_fen": budget_fen}
    return upstream("FundCreated", "assistance", position, region, body)


class ReportingApi:
    def __init__(self, client: TestClient, settings: Settings, mongo_url: str) -> None:
        self.client = client
        self.settings = settings
        self.mongo_url = mongo_url

    @property
    def app(self) -> ReportingApplication:
        return self.client.app.state.application  # type: ignore[attr-defined,no-any-return]

    def freeze(self, moment: datetime | date) -> FixedClock:
        clock = FixedClock(moment)
        self.app.clock = clock
        self.client.app.state.clock = clock  # type: ignore[attr-defined]
        return clock

    def headers(self, role: str = "officer", region: str = COUNTY, sub: str = "officer-1") -> dict[str, str]:
        token = issue_token(self.settings, sub=sub, name="李明", roles=[role], region=region)
        return {"Authorization": f"Bearer {token}"}

    contact = staticmethod(contact)
    fund_created = staticmethod(fund_created)
    upstream = staticmethod(upstream)

    def deliver(self, *events: IntegrationEvent) -> None:
        for event in events:
            self.app.archive(event)

    def get(self, path: str, role: str = "officer", region: str = COUNTY, **params: Any) -> Any:
        response = self.client.get(path, params=params, headers=self.headers(role, region))
        assert response.status_code == 200, response.text
        return response.json()

    def stats(self, topic: str = "people", role: str = "officer", region: str = COUNTY, **params: Any) -> Any:
        return self.get(f"/stats/{topic}", role, region, **params)

    # Read models ----------------------------------------------------------------------------------------------

    @property
    def db_name(self) -> str:
        return self.settings.read_model_db_name

    def with_db(self, work: Any) -> Any:
        async def run() -> Any:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url, tz_aware=True)
            try:
                return await work(client[self.db_name])
            finally:
                await client.close()

        return asyncio.run(run())

    def project(self, batch_size: int = 500) -> int:
        async def catch_up(db: Any) -> int:
            projection = ReportingProjection()
            await projection.setup(db)
            await projection.setup_queries(db)
            projector = Projector(self.app, db, projection, batch_size=batch_size)
            total = 0
            while count := await projector.run_once():
                total += count
            return total

        return int(self.with_db(catch_up))

    def rebuild(self) -> int:
        async def rebuild(db: Any) -> int:
            return await Projector(self.app, db, ReportingProjection()).rebuild(show_progress=False)

        return int(self.with_db(rebuild))

    def read_models(self) -> dict[str, list[dict[str, Any]]]:
        async def dump(db: Any) -> dict[str, list[dict[str, Any]]]:
            names = sorted(n for n in await db.list_collection_names() if n != "_checkpoints")
            return {name: await db[name].find({}, sort=[("_id", 1)]).to_list() for name in names}

        return dict(self.with_db(dump))

    def forget_checkpoint(self) -> None:
        async def forget(db: Any) -> None:
            await db["_checkpoints"].delete_many({})

        self.with_db(forget)

    def drop(self) -> None:
        async def drop(db: Any) -> None:
            await db.client.drop_database(self.db_name)

        self.with_db(drop)


@pytest.fixture
def api(tmp_path: Path, mongo_url: str) -> Iterator[ReportingApi]:
    settings = Settings.for_service(
        "reporting", data_dir=tmp_path, mongo_url=mongo_url, read_model_db=f"t_{uuid4().hex[:8]}"
    )
    with TestClient(create_api(definition, settings)) as client:
        harness = ReportingApi(client, settings, mongo_url)
        harness.freeze(date(2026, 8, 10))
        try:
            yield harness
        finally:
            harness.drop()
