"""Outreach's test kit: the application on an in-memory store with a fixed clock, fed the registry's events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from outreach.application import OutreachApplication
from outreach.service import reactions
from vet_common.domain import FixedClock
from vet_contracts import Actor, IntegrationEvent
from vet_devtools.testing.people import RegistryFeed, in_memory

TODAY = date(2026, 9, 1)  # the feed's people are registered on 2026-08-01


@pytest.fixture
def app() -> OutreachApplication:
    application = in_memory(OutreachApplication, "outreach")
    application.clock = FixedClock(TODAY)
    return application


@pytest.fixture
def feed() -> RegistryFeed:
    return RegistryFeed()


@pytest.fixture
def deliver(app: OutreachApplication) -> Callable[..., None]:
    """Hand registry events to outreach's reactions, as its consumer would."""

    def deliver_all(*events: Any) -> None:
        for event in events:
            reactions.process(app, event)

    return deliver_all


@pytest.fixture
def recorded(app: OutreachApplication) -> Callable[[], int]:
    """How many events the store holds: a refusal leaves it unchanged."""
    return lambda: app.process_recorder.max_notification_id() or 0


AlertOf = Callable[..., IntegrationEvent]


@pytest.fixture
def eligibility_alert() -> AlertOf:
    """An EligibilityAlertRaised of the registry: alert(person_id, region, kind, due_on, position, alert_id)."""

    def alert(
        person_id: str, region: str, kind: str, due_on: str, position: int = 50, alert_id: str = "a-1"
    ) -> IntegrationEvent:
        return IntegrationEvent.build(
            type="EligibilityAlertRaised",
            source="registry",
            source_position=position,
            aggregate_id=alert_id,
            aggregate_version=1,
            occurred_at=datetime(2026, 8, 1, tzinfo=UTC),
            actor=Actor(sub="system", role="system"),
            region=region,
            data={"person_id": person_id, "kind": kind, "occasion": due_on[:4], "due_on": due_on},
        )

    return alert


@pytest.fixture
async def db(mongo_url: str) -> AsyncIterator[AsyncDatabase[Any]]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    database = client[f"outreach_{uuid.uuid4().hex[:8]}"]
    try:
        yield database
    finally:
        await client.drop_database(database.name)
        await client.close()
