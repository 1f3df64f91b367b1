"""Typed policies: each handler gets the typed event, the dispatcher saves what it changed with Tracking, once."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from vet_common.policies import Policies
from vet_common.settings import Settings
from vet_common.subscriber import dlq_topic, make_broker, subscribe
from vet_contracts import IntegrationEvent, MalformedEvent, UnknownEventType, registry
from vet_devtools.testing.apps import Counter, CounterApplication
from vet_devtools.testing.people import RegistryFeed, in_memory


@pytest.fixture
def app() -> CounterApplication:
    return in_memory(CounterApplication, "registry")


@pytest.fixture
def counter(app: CounterApplication) -> UUID:
    counter = Counter(region="350102001001")
    app.save(counter)
    return counter.id


def counting(counter_id: UUID, seen: list[Any]) -> Policies:
    """Counts registrations on one Counter; notes the typed events it was given."""
    policies = Policies()

    @policies.on(registry.PersonRegistered)
    def count(app: CounterApplication, event: registry.PersonRegistered) -> list[Counter]:
        seen.append(event)
        counter: Counter = app.repository.get(counter_id)
        counter.increment()
        return [counter]

    return policies


def value(app: CounterApplication, counter_id: UUID) -> int:
    return app.repository.get(counter_id).value  # type: ignore[no-any-return]


def recorded(app: CounterApplication) -> int:
    return app.process_recorder.max_notification_id() or 0


def test_a_handler_gets_the_typed_event_and_its_changes_are_saved_once(app: CounterApplication, counter: UUID) -> None:
    seen: list[Any] = []
    policies = counting(counter, seen)
    event = RegistryFeed().registered("p-1")
    assert policies.process(app, event) is True
    assert isinstance(seen[0], registry.PersonRegistered)
    assert seen[0].data.birth_year == 1960
    before = recorded(app)
    assert policies.process(app, event) is False  # redelivered: no second effect, nothing recorded
    assert (value(app, counter), recorded(app), len(seen)) == (1, before, 1)


def test_a_type_no_handler_reacts_to_is_ignored_and_not_tracked(app: CounterApplication, counter: UUID) -> None:
    policies = counting(counter, [])
    feed = RegistryFeed()
    feed.registered("p-1")
    died = feed.died("p-1")
    assert policies.process(app, died) is False
    assert value(app, counter) == 0
    assert app.has_processed(Tracking("registry", died.source_position)) is False


def test_a_message_outside_the_contract_raises_the_contracts_errors(app: CounterApplication, counter: UUID) -> None:
    policies = counting(counter, [])
    registered = RegistryFeed().registered("p-1")
    with pytest.raises(UnknownEventType):
        policies.process(app, registered.model_copy(update={"type": "PersonCloned"}))
    with pytest.raises(MalformedEvent):
        policies.process(app, registered.model_copy(update={"data": {"person_id": "p-1"}}))
    assert value(app, counter) == 0


def test_a_version_conflict_is_retried_on_the_reloaded_aggregate(app: CounterApplication, counter: UUID) -> None:
    policies = Policies()
    calls = 0

    @policies.on(registry.PersonRegistered)
    def count(app: CounterApplication, event: registry.PersonRegistered) -> list[Counter]:
        nonlocal calls
        calls += 1
        mine: Counter = app.repository.get(counter)
        if calls == 1:  # another writer saves the same counter between our load and our save
            theirs: Counter = app.repository.get(counter)
            theirs.increment()
            app.save(theirs)
        mine.increment()
        return [mine]

    assert policies.process(app, RegistryFeed().registered("p-1")) is True
    assert (calls, value(app, counter)) == (2, 2)


def test_combined_policies_run_every_handler_of_a_type_in_one_save(app: CounterApplication, counter: UUID) -> None:
    other = Counter(region="350102001001")
    app.save(other)
    first: list[Any] = []
    second: list[Any] = []
    both = counting(counter, first) | counting(other.id, second)
    assert both.event_types == {registry.PersonRegistered}
    assert both.process(app, RegistryFeed().registered("p-1")) is True
    assert (value(app, counter), value(app, other.id), len(first), len(second)) == (1, 1, 1, 1)


async def test_through_the_subscriber_a_bug_is_retried_and_then_dead_lettered(
    app: CounterApplication, counter: UUID
) -> None:
    settings = Settings.for_service("outreach", data_dir=app.settings.data_dir, max_delivery_attempts=2)
    policies = Policies()
    attempts: list[int] = []

    @policies.on(registry.PersonRegistered)
    def buggy(app: CounterApplication, event: registry.PersonRegistered) -> list[Counter]:
        attempts.append(event.source_position)
        if event.data.person_id == "p-bug":
            raise KeyError("a bug")
        counter_: Counter = app.repository.get(counter)
        counter_.increment()
        return [counter_]

    broker = make_broker(settings)
    topic = settings.topic("registry")
    subscribe(broker, settings, [topic], policies.handler(app), retry_delay=0)
    dead: list[bytes] = []

    @broker.subscriber(dlq_topic(topic))
    async def collect(message: KafkaMessage) -> None:
        dead.append(message.body)

    feed = RegistryFeed()
    good, bug = feed.registered("p-1"), feed.registered("p-bug")
    unknown = feed.registered("p-2").model_copy(update={"type": "PersonCloned"})
    async with TestKafkaBroker(broker) as test_broker:
        for event in (good, bug, unknown):
            await test_broker.publish(event.to_bytes(), topic=topic, key=event.aggregate_id.encode())
    assert attempts == [good.source_position, bug.source_position, bug.source_position]  # unknown: never called
    assert [IntegrationEvent.from_bytes(body).aggregate_id for body in dead] == ["p-bug", "p-2"]
    assert value(app, counter) == 1
