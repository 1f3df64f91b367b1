"""A subscriber dead-letters a message that does not fit the contract at once, and retries a handler's error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from vet_common.settings import Settings
from vet_common.subscriber import dlq_topic, make_broker, subscribe
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
