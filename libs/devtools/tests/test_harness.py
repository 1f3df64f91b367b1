"""ServiceHarness: any service's application in memory, with a fixed clock, its relay, consumer and projector."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

import pytest
from eventsourcing.persistence import Tracking
from pydantic import BaseModel
from pymongo import AsyncMongoClient

from assistance.service import definition as assistance
from outreach.service import definition as outreach
from registry.service import definition as registry
from reporting.service import definition as reporting
from vet_common.domain import FixedClock
from vet_common.eventstore import ServiceApplication
from vet_common.service import ServiceDefinition
from vet_common.subscriber import Handler
from vet_common.translation import Publish, TranslationTable
from vet_contracts import SYSTEM_ACTOR, IntegrationEvent, PublicEvent
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.apps import Counter, CounterApplication, CounterProjection
from vet_devtools.testing.harness import DEFAULT_TODAY, InMemoryProcessRecorder

VILLAGE = "350102001001"


def count_deliveries(app: ServiceApplication) -> Handler:
    """Each delivered event starts a counter, saved with the event's (source, position): once per position."""

    async def handle(event: IntegrationEvent) -> None:
        app.save_tracked(Tracking(event.source, event.source_position), Counter(region=event.region))

    return handle


class CounterData(BaseModel):
    value: int


class CounterChanged(PublicEvent):
    type: Literal["CounterChanged"]
    data: CounterData


def counter_changed() -> Publish:
    return Publish(CounterChanged, lambda _event, counter: {"value": counter.value}, lambda _event, c: c.region)


def counters(published: tuple[type, ...] = (Counter.Started, Counter.Incremented)) -> ServiceDefinition:
    return ServiceDefinition(
        name="registry",
        title="Counters",
        description="The plumbing without any service's domain",
        application_class=CounterApplication,
        projection_factory=CounterProjection,
        translations=TranslationTable(
            source="counter", published={kind: counter_changed() for kind in published}, stateful=Counter.Event
        ),
        routers=[],
        handler_factory=count_deliveries,
    )


COUNTERS = counters()


def upstream_event(position: int) -> IntegrationEvent:
    return IntegrationEvent.build(
        type="PersonRegistered",
        source="upstream",
        source_position=position,
        aggregate_id=str(uuid.uuid4()),
        aggregate_version=1,
        occurred_at=datetime(2026, 6, 1, tzinfo=UTC),
        actor=SYSTEM_ACTOR,
        region=VILLAGE,
        data={},
    )


@pytest.fixture
def harness() -> ServiceHarness[CounterApplication]:
    return ServiceHarness[CounterApplication](COUNTERS)


@pytest.mark.parametrize("definition", [registry, outreach, assistance, reporting], ids=lambda d: d.name)
def test_every_service_runs_in_memory_with_the_cipher_on(definition: ServiceDefinition) -> None:
    harness: ServiceHarness[ServiceApplication] = ServiceHarness(definition)
    assert isinstance(harness.app, definition.application_class)
    assert isinstance(harness.app.process_recorder, InMemoryProcessRecorder)
    assert harness.app.mapper.cipher is not None
    assert harness.recorded_count() == 0
    assert harness.published() == []


def test_stored_events_are_encrypted_and_read_back(harness: ServiceHarness[CounterApplication]) -> None:
    counter = Counter(region=VILLAGE)
    harness.app.save(counter)
    recorder = harness.app.process_recorder
    (stored,) = recorder.select_notifications(0, 10)
    assert VILLAGE.encode() not in stored.state
    assert harness.app.repository.get(counter.id).region == VILLAGE


def test_the_clock_is_fixed_and_can_be_moved_or_replaced(harness: ServiceHarness[CounterApplication]) -> None:
    assert harness.app.clock is harness.clock
    assert harness.clock.today() == DEFAULT_TODAY
    harness.clock.advance(days=1)
    assert harness.app.clock.today() == date(2026, 6, 2)
    harness.clock = FixedClock(date(2027, 1, 1))
    assert harness.app.clock.today() == date(2027, 1, 1)
    assert ServiceHarness[CounterApplication](COUNTERS, today=date(2030, 2, 3)).app.clock.today() == date(2030, 2, 3)


def test_events_of_one_aggregate_and_of_all(harness: ServiceHarness[CounterApplication]) -> None:
    first, second = Counter(region=VILLAGE), Counter(region=VILLAGE)
    first.increment()
    harness.app.save(first, second)
    assert [type(e).__name__ for e in harness.events(first.id)] == ["Started", "Incremented"]
    assert [e.originator_id for e in harness.all_events()] == [first.id, first.id, second.id]
    assert harness.recorded_count() == 3


def test_published_is_what_the_relay_publishes_so_far_each_once(harness: ServiceHarness[CounterApplication]) -> None:
    counter = Counter(region=VILLAGE)
    harness.app.save(counter)
    assert [(e.type, e.source_position, e.data) for e in harness.published()] == [("CounterChanged", 1, {"value": 0})]
    counter.increment()
    harness.app.save(counter)
    assert [(e.source_position, e.data["value"]) for e in harness.published()] == [(1, 0), (2, 1)]
    assert harness.published()[-1].aggregate_version == 2
    assert {e.region for e in harness.published()} == {VILLAGE}


def test_published_fails_where_the_relay_stops_at_an_untranslatable_event() -> None:
    harness = ServiceHarness[CounterApplication](counters(published=(Counter.Started,)))
    counter = Counter(region=VILLAGE)
    counter.increment()
    harness.app.save(counter)
    with pytest.raises(AssertionError, match=r"no translation for Counter\.Incremented"):
        harness.published()


async def test_published_also_works_from_an_async_test(harness: ServiceHarness[CounterApplication]) -> None:
    harness.app.save(Counter(region=VILLAGE))
    assert len(harness.published()) == 1


def test_a_delivered_event_has_its_effect_once_in_any_order(harness: ServiceHarness[CounterApplication]) -> None:
    for position in (5, 3, 5, 4, 3):  # two partitions interleaved, and redeliveries
        harness.deliver(upstream_event(position))
    assert harness.recorded_count() == 3
    assert harness.app.has_processed(Tracking("upstream", 4))
    assert not harness.app.has_processed(Tracking("upstream", 6))


def test_a_service_that_consumes_nothing_cannot_be_delivered_to() -> None:
    harness: ServiceHarness[ServiceApplication] = ServiceHarness(registry)
    with pytest.raises(TypeError, match="consumes no integration events"):
        harness.deliver(upstream_event(1))


def test_reporting_archives_a_delivered_event_once() -> None:
    harness: ServiceHarness[ServiceApplication] = ServiceHarness(reporting)
    event = upstream_event(1).model_copy(update={"source": "registry"})
    harness.deliver(event)
    archived = harness.recorded_count()
    harness.deliver(event)
    assert harness.recorded_count() == archived
    assert [type(e).__name__ for e in harness.all_events()] == ["EntryArchived", "EventReceived"]


@pytest.mark.integration
async def test_run_projections_brings_read_models_up_to_date(
    harness: ServiceHarness[CounterApplication], mongo_url: str
) -> None:
    counter = Counter(region=VILLAGE)
    harness.app.save(counter)
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    db = client[f"harness_{uuid.uuid4().hex[:8]}"]
    try:
        assert await harness.run_projections(db) == 1
        counter.increment()
        counter.increment()
        harness.app.save(counter)
        assert await harness.run_projections(db) == 2
        assert await harness.run_projections(db) == 0
        assert await db.counters.find_one({"_id": str(counter.id)}) == {
            "_id": str(counter.id),
            "region": VILLAGE,
            "value": 2,
            "version": 3,
        }
    finally:
        await client.drop_database(db.name)
        await client.close()
