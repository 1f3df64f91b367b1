"""The relay against a real Kafka broker: per-aggregate order, resume after restart, no loss."""

from __future__ import annotations

import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from vet_common.relay import KafkaPublisher, Relay
from vet_contracts import IntegrationEvent
from vet_devtools.testing.apps import Counter, CounterApplication, translate_counter

pytestmark = pytest.mark.integration


async def consume_all(bootstrap: str, topic: str, expected: int) -> list[IntegrationEvent]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=f"check-{uuid.uuid4().hex}"
    )
    await consumer.start()
    events: list[IntegrationEvent] = []
    try:
        while len(events) < expected:
            batches = await consumer.getmany(timeout_ms=10_000)
            if not batches:
                break
            for records in batches.values():
                events.extend(IntegrationEvent.from_bytes(record.value) for record in records)  # type: ignore[arg-type]
    finally:
        await consumer.stop()
    return events


async def test_publishes_in_order_per_aggregate_and_resumes(kafka_bootstrap: str, tmp_path: Path) -> None:
    topic = f"relay-test-{uuid.uuid4().hex[:8]}"
    app = CounterApplication.in_directory(tmp_path)
    counters = [Counter(region="350102001001") for _ in range(6)]
    app.save(*counters)
    for _ in range(4):  # interleave the aggregates in the notification log
        for counter in counters:
            counter.increment()
            app.save(counter)

    publisher = KafkaPublisher(kafka_bootstrap)
    await publisher.start()
    try:
        relay = Relay(app, translate_counter, publisher, topic, batch_size=7)
        for _ in range(2):
            await relay.run_once()
        # "Restart": a new relay on a reopened event store carries on from the stored position.
        app.close()
        app = CounterApplication.in_directory(tmp_path)
        relay = Relay(app, translate_counter, publisher, topic, batch_size=7)
        assert relay.position() == 14
        while await relay.run_once():
            pass
    finally:
        await publisher.stop()

    events = await consume_all(kafka_bootstrap, topic, expected=30)
    assert sorted(e.source_position for e in events) == list(range(1, 31))
    by_aggregate: dict[str, list[int]] = defaultdict(list)
    for event in events:
        by_aggregate[event.aggregate_id].append(event.aggregate_version)
    assert all(versions == [1, 2, 3, 4, 5] for versions in by_aggregate.values())
    app.close()
