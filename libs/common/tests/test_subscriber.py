"""A subscriber dead-letters a message that does not fit the contract at once, and retries a handler's error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from vet_common.settings import Settings
from vet_common.subscriber import dlq_topic, make_broker, subscribe, subscribe_batch
from vet_contracts import Actor, IntegrationEvent, parse


def person_registered(position: int) -> IntegrationEvent:
    return IntegrationEvent.build(
        type="PersonRegistered",
        source="registry",
        source_position=position,
        aggregate_id="p-1",
        aggregate_version=1,
        occurred_at=datetime(2026, 8, 1, tzinfo=UTC),
        actor=Actor(sub="staff-1", role="station_staff"),
        region="350102001001",
        data={
            "person_id": "p-1",
            "categories": [],
            "key_contact_reasons": [],
            "status": "active",
            "birth_year": 1950,
            "sex": "male",
            "household": None,
            "disability_level": None,
        },
    )


async def test_a_handler_value_error_is_retried_and_contract_errors_are_dead_lettered_at_once(tmp_path: Path) -> None:
    settings = Settings.for_service("reporting", data_dir=tmp_path, max_delivery_attempts=3)
    broker = make_broker(settings)
    topic = settings.topic("registry")
    attempts: list[int] = []

    async def handle(event: IntegrationEvent) -> None:
        typed = parse(event)  # UnknownEventType for a type this consumer does not know
        attempts.append(typed.source_position)
        if attempts.count(typed.source_position) == 1:
            raise ValueError("a bug that a retry gets past (say, a race)")

    subscribe(broker, settings, [topic], handle, retry_delay=0)
    dead: list[bytes] = []

    @broker.subscriber(dlq_topic(topic))
    async def collect(message: KafkaMessage) -> None:
        dead.append(message.body)

    unknown = person_registered(2).model_copy(update={"type": "PersonCloned"}).to_bytes()
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(person_registered(1).to_bytes(), topic=topic, key=b"p-1")
        await test_broker.publish(b"{not json", topic=topic, key=b"bad")
        await test_broker.publish(unknown, topic=topic, key=b"p-1")

    assert attempts == [1, 1]  # failed once, then handled
    assert dead == [b"{not json", unknown]


async def test_a_mirrored_citys_event_outside_that_city_is_dead_lettered_and_never_handled(tmp_path: Path) -> None:
    """The province reads Fuzhou's (3501) topics as copied by MirrorMaker: an event there of Xiamen (3502) is
    refused, so a city cannot write another city's figures; the province's own topics take any of its regions."""
    settings = Settings.for_service("reporting", data_dir=tmp_path, jurisdiction="35", mirrored_sources="3501")
    broker = make_broker(settings)
    own, mirrored = settings.consumed_topics(["registry"])
    assert (own, mirrored) == ("vet.registry.v1", "3501.vet.registry.v1")
    handled: list[tuple[int, str]] = []

    async def handle(event: IntegrationEvent) -> None:
        handled.append((event.source_position, event.region))

    subscribe(broker, settings, [own, mirrored], handle, retry_delay=0)
    dead: list[tuple[str, str]] = []

    @broker.subscriber(dlq_topic(mirrored), dlq_topic(own))
    async def collect(message: KafkaMessage) -> None:
        dead.append((message.headers["original_topic"], message.headers["error"]))

    def event(position: int, region: str) -> bytes:
        return person_registered(position).model_copy(update={"region": region}).to_bytes()

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(event(1, "350102001001"), topic=mirrored, key=b"p-1")
        await test_broker.publish(event(2, "350203001001"), topic=mirrored, key=b"p-2")  # Xiamen via Fuzhou
        await test_broker.publish(event(3, "350203001001"), topic=own, key=b"p-3")  # the province's own
        await test_broker.publish(event(4, "440103001001"), topic=own, key=b"p-4")  # Guangdong: not ours

    assert handled == [(1, "350102001001"), (3, "350203001001")]
    assert [topic for topic, _ in dead] == [mirrored, own]
    assert "outside 3501" in dead[0][1]
    assert "outside this deployment's jurisdiction 35" in dead[1][1]


async def test_a_batch_goes_to_the_batch_handler_and_a_failing_one_message_by_message(tmp_path: Path) -> None:
    settings = Settings.for_service("reporting", data_dir=tmp_path, max_delivery_attempts=2)
    broker = make_broker(settings)
    topic = settings.topic("registry")
    batches: list[list[int]] = []
    singles: list[int] = []

    async def handle_batch(events: list[IntegrationEvent]) -> None:
        batches.append([event.source_position for event in events])

    async def handle(event: IntegrationEvent) -> None:
        singles.append(event.source_position)

    subscribe_batch(broker, settings, [topic], handle_batch, handle, retry_delay=0)
    dead: list[bytes] = []

    @broker.subscriber(dlq_topic(topic))
    async def collect(message: KafkaMessage) -> None:
        dead.append(message.body)

    good = [person_registered(n).to_bytes() for n in (1, 2, 3)]
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish_batch(good[0], good[1], topic=topic)
        await test_broker.publish_batch(good[2], b"{not json", topic=topic)

    assert batches == [[1, 2]]
    assert singles == [3]  # the second batch failed as a whole: its good message went through alone
    assert dead == [b"{not json"]
