"""MirrorMaker 2 copies a city's public topic into the province's Kafka as `3501.<topic>`, and killed with
SIGKILL and restarted it loses nothing (it may copy again: consumers drop copies by event_id)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from vet_contracts import IntegrationEvent
from vet_devtools.stack import KafkaServer, free_ports
from vet_devtools.stack.mirror import MirrorMaker
from vet_devtools.testing.people import RegistryFeed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def province_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaServer]:
    port, controller = free_ports(2)
    kafka = KafkaServer(tmp_path_factory.mktemp("province"), port, controller, heap="384m")
    kafka.start()
    try:
        kafka.wait_ready()
        yield kafka
    finally:
        kafka.stop()


async def publish(bootstrap: str, topic: str, events: list[IntegrationEvent]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for event in events:
            await producer.send(topic, event.to_bytes(), key=event.aggregate_id.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def mirrored(bootstrap: str, topic: str, expected: set[str], within: float) -> list[str]:
    """Every event id on `topic` once all of `expected` arrived (or the deadline passed), copies included."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False)
    consumer.subscribe(pattern=f"^{topic.replace('.', '[.]')}$")
    await consumer.start()
    seen: list[str] = []
    deadline = time.monotonic() + within
    try:
        while not expected <= set(seen) and time.monotonic() < deadline:
            for messages in (await consumer.getmany(timeout_ms=1000)).values():
                seen += [IntegrationEvent.from_bytes(m.value).event_id for m in messages]
    finally:
        await consumer.stop()
    return seen


def registrations(feed: RegistryFeed, count: int) -> list[IntegrationEvent]:
    return [feed.registered(str(uuid.uuid4()), "350102001001") for _ in range(count)]


async def test_the_mirror_copies_the_city_topic_and_loses_nothing_when_killed(
    kafka_bootstrap: str, province_kafka: KafkaServer, tmp_path: Path
) -> None:
    topic = f"vet.fed{uuid.uuid4().hex[:8]}.v1"  # only this test's topic is mirrored
    mirror = MirrorMaker(
        tmp_path,
        source_alias="3501",
        source_bootstrap=kafka_bootstrap,
        target_alias="35",
        target_bootstrap=province_kafka.bootstrap,
        topics=topic.replace(".", r"\."),
    )
    feed = RegistryFeed()
    before = registrations(feed, 200)
    await publish(kafka_bootstrap, topic, before)
    mirror.start()
    try:
        await asyncio.to_thread(mirror.wait_ready)
        remote = mirror.remote_topic(topic)
        assert remote == f"3501.{topic}"
        first = await mirrored(province_kafka.bootstrap, remote, {e.event_id for e in before}, 120)
        assert set(first) == {e.event_id for e in before}

        mirror.kill()  # SIGKILL: no chance to save how far it got
        during = registrations(feed, 100)
        await publish(kafka_bootstrap, topic, during)
        mirror.start()
        await asyncio.to_thread(mirror.wait_ready)
        everything = {e.event_id for e in before + during}
        after = await mirrored(province_kafka.bootstrap, remote, everything, 180)
    finally:
        mirror.stop()
    assert set(after) == everything  # nothing lost, nothing foreign
    print(f"mirrored {len(everything)} events as {len(after)} records ({len(after) - len(everything)} copies)")
