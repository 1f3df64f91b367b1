"""Assistance test kit: the application on an in-memory event store with a fixed clock, people fed in as the
registry publishes them, and callers at every level of one county (Fuzhou's 鼓楼区, 350102)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from assistance.application import AssistanceApplication
from assistance.identities import Identity
from assistance.policies import reactions
from assistance.projections import AssistanceProjection
from assistance.rules import Facts, FundKind, Rules
from assistance.service import definition
from vet_common.api import create_api
from vet_common.auth import Principal, Role, issue_token
from vet_common.domain import Actor, FixedClock
from vet_common.projector import Projector
from vet_common.settings import Settings
from vet_contracts import IntegrationEvent
from vet_devtools.testing.people import RegistryFeed, in_memory

COUNTY, CITY, TOWNSHIP, VILLAGE = "350102", "3501", "350102001", "350102001001"

HARDSHIP_RULES: dict[str, Any] = {
    "amount": {"kind": "fixed", "amount_fen": 160_000},
    "yearly_ceiling_fen": 300_000,
    "approval": {"accept": "township", "levels": [{"level": "county"}]},
}
EMERGENCY_RULES: dict[str, Any] = {
    "amount": {"kind": "share_of_remainder", "threshold_fen": 1_000_000, "share_percent": 80, "cap_fen": 5_000_000},
    "approval": {
        "accept": "township",
        "levels": [{"level": "county"}, {"level": "city", "from_fen": 1_000_000}],
    },
}
MONTHLY_RULES: dict[str, Any] = {
    "eligibility": {"household": "rural"},
    "amount": {"kind": "monthly", "monthly_fen": 20_000},
}


def principal(role: str, region: str, sub: str = "u1") -> Principal:
    return Principal(sub=sub, name="测试", roles=frozenset({Role(role)}), region=region)


STATION = principal("station_staff", TOWNSHIP, "station-1")
OFFICER = principal("officer", COUNTY, "officer-1")
COUNTY_APPROVER = principal("approver", COUNTY, "approver-county")
CITY_APPROVER = principal("approver", CITY, "approver-city")
OFFICER_ACTOR = Actor(sub="officer-1", role="officer")


@dataclass
class Desk:
    """A county's assistance desk: the application, the registry feed, and shortcuts for each step."""

    app: AssistanceApplication
    clock: FixedClock
    feed: RegistryFeed = field(default_factory=RegistryFeed)

    # What tests name (test modules cannot import this conftest): callers and rules.
    STATION = STATION
    OFFICER = OFFICER
    COUNTY_APPROVER = COUNTY_APPROVER
    CITY_APPROVER = CITY_APPROVER
    HARDSHIP_RULES = HARDSHIP_RULES
    EMERGENCY_RULES = EMERGENCY_RULES
    MONTHLY_RULES = MONTHLY_RULES
    principal = staticmethod(principal)

    def hear(self, event: IntegrationEvent) -> bool:
        return reactions.process(self.app, event)

    def person(self, person_id: str = "p-1", region: str = VILLAGE, **facts: Any) -> str:
        self.hear(self.feed.registered(person_id, region, **facts))
        return person_id

    def fund(self, rules: dict[str, Any] | None = None, budget_fen: int = 10_000_000, **overrides: Any) -> UUID:
        arguments: dict[str, Any] = {
            "name": "2026年临时困难救助",
            "kind": FundKind.temporary_hardship_aid,
            "region": COUNTY,
            "year": 2026,
            "budget_fen": budget_fen,
            "rules": Rules.model_validate(rules or HARDSHIP_RULES),
            **overrides,
        }
        return self.app.create_fund(**arguments, actor=OFFICER_ACTOR)

    def apply(self, fund_id: UUID, person_id: str = "p-1", **facts: int) -> UUID:
        return self.app.submit(
            fund_id=fund_id,
            person_id=person_id,
            on_behalf_of=True,
            facts=Facts(**facts),
            documents=["申请表", "困难情况说明"],
            principal=STATION,
        )

    def approved(self, fund_id: UUID, person_id: str = "p-1", **facts: int) -> UUID:
        application_id = self.apply(fund_id, person_id, **facts)
        self.app.accept(application_id, STATION)
        self.app.approve(application_id, "符合条件", COUNTY_APPROVER)
        return application_id

    def paid(self, fund_id: UUID, person_id: str = "p-1") -> UUID:
        application_id = self.approved(fund_id, person_id)
        self.app.notify_person(application_id, "上门告知", date(2026, 8, 3), STATION)
        self.app.disburse(application_id, "BANK-0001", "key-1", date(2026, 8, 5), OFFICER)
        return application_id


@pytest.fixture
def desk() -> Iterator[Desk]:
    app = in_memory(AssistanceApplication, "assistance")
    clock = FixedClock(date(2026, 8, 3))
    app.clock = clock
    yield Desk(app, clock)
    app.close()


# Through HTTP ------------------------------------------------------------------------------------------------


class FakeRegistry:
    """The registry's POST /persons/reveal as the bank file sees it: who is known, and each call it was asked."""

    def __init__(self) -> None:
        self.people: dict[str, Identity] = {}
        self.calls: list[tuple[list[str], str, str]] = []

    async def of(self, person_ids: list[str], purpose: str, authorization: str) -> dict[str, Identity]:
        self.calls.append((person_ids, purpose, authorization))
        return {person: self.people[person] for person in person_ids if person in self.people}


class Api:
    """The assistance API in-process (SQLite in a temporary directory, a fixed clock), read models on the
    `mongo_url` server in a database of its own; registry events handed to its consumer's reactions."""

    def __init__(self, client: TestClient, settings: Settings, clock: FixedClock) -> None:
        self.client, self.settings, self.clock = client, settings, clock
        self.feed = RegistryFeed()
        self.registry = FakeRegistry()
        client.app.state.identities = self.registry  # type: ignore[attr-defined]

    @property
    def app(self) -> AssistanceApplication:
        return self.client.app.state.application  # type: ignore[attr-defined,no-any-return]

    def headers(self, role: str, region: str, sub: str | None = None, **extra: str) -> dict[str, str]:
        token = issue_token(self.settings, sub=sub or f"{role}-{region}", name="测试", roles=[role], region=region)
        return {"Authorization": f"Bearer {token}", **extra}

    def hear(self, event: IntegrationEvent) -> bool:
        return reactions.process(self.app, event)

    def recorded(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def post(self, path: str, body: dict[str, Any], role: str, region: str, **headers: str) -> Any:
        return self.client.post(path, json=body, headers=self.headers(role, region, **headers))

    def ok(self, path: str, body: dict[str, Any], role: str, region: str, **headers: str) -> dict[str, Any]:
        response = self.post(path, body, role, region, **headers)
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    def get(self, path: str, role: str, region: str, **params: Any) -> dict[str, Any]:
        response = self.client.get(path, headers=self.headers(role, region), params=params)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def project(self) -> int:
        """Bring the read models up to date; returns how many notifications were applied."""

        async def catch_up() -> int:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.settings.mongo_url)
            try:
                db = client[self.settings.read_model_db_name]
                projection = AssistanceProjection(self.app)
                await projection.setup(db)
                projector = Projector(self.app, db, projection)
                total = 0
                while count := await projector.run_once():
                    total += count
                return total
            finally:
                await client.close()

        return asyncio.run(catch_up())


@pytest.fixture
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """Needs the MongoDB-wire server: the tests using it are integration tests."""
    mongo_url: str = request.getfixturevalue("mongo_url")
    settings = Settings.for_service(
        "assistance", data_dir=tmp_path, mongo_url=mongo_url, read_model_db=f"assistance_{uuid.uuid4().hex[:12]}"
    )
    clock = FixedClock(date(2020, 9, 1))
    with TestClient(create_api(definition, settings, clock=clock)) as client:
        yield Api(client, settings, clock)
