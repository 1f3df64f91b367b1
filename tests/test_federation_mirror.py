"""MirrorMaker 2 copies a city's public topic into the province's Kafka as `3501.<topic>`, and killed with
SIGKILL and restarted it loses nothing (it may copy again: consumers drop copies by event_id).

The province's own reporting (jurisdiction 35, mirrored source 3501) counts the city's people once each,
whatever the mirror copied twice, and dead-letters a city's event whose region lies in another city.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from vet_common.projector import CHECKPOINTS
from vet_contracts import IntegrationEvent
from vet_devtools.stack import KafkaServer, free_ports
from vet_devtools.stack.mirror import MirrorMaker
from vet_devtools.testing.people import RegistryFeed
from vet_devtools.testing.platform import Platform
from vet_devtools.testing.scenarios import summary

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


async def lag(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    """Per partition of `topic`, how many records `group` has not committed yet (nothing left to count: all 0)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await consumer.start()
    try:
        (described,) = await admin.describe_topics([topic])
        partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
        committed = await admin.list_consumer_group_offsets(group)
        ends = await consumer.end_offsets(partitions)
        return {tp.partition: end - (committed[tp].offset if tp in committed else 0) for tp, end in ends.items()}
    finally:
        await consumer.stop()
        await admin.close()


async def projected(platform: Platform, mongo_url: str) -> bool:
    """Reporting's projector has applied its whole event store (every archived entry is in the counters)."""
    application = platform.application("reporting")
    try:
        head = await asyncio.to_thread(application.process_recorder.max_notification_id) or 0
    finally:
        application.close()
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    try:
        database = client[platform.settings("reporting").read_model_db_name]
        checkpoint = await database[CHECKPOINTS].find_one({"_id": "projector"})
    finally:
        await client.close()
    return checkpoint is not None and int(checkpoint["position"]) >= head


async def settled(condition: Any, within: float, what: Any) -> None:
    """Poll `condition` until it holds; `what` (a text, or a function giving one) says what timed out."""
    deadline = time.monotonic() + within
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what() if callable(what) else what}"
        await asyncio.sleep(0.5)


async def test_the_province_counts_the_city_once_and_refuses_another_citys_region(
    kafka_bootstrap: str, mongo_url: str, province_kafka: KafkaServer, tmp_path: Path
) -> None:
    prefix = f"fed{uuid.uuid4().hex[:8]}."
    topic = f"{prefix}vet.registry.v1"  # the city's registry topic; only it is mirrored
    mirror = MirrorMaker(
        tmp_path,
        source_alias="3501",
        source_bootstrap=kafka_bootstrap,
        target_alias="35",
        target_bootstrap=province_kafka.bootstrap,
        topics=topic.replace(".", r"\."),
    )
    province = Platform(
        kafka_bootstrap=province_kafka.bootstrap,
        mongo_url=mongo_url,
        workdir=tmp_path / "province",
        topic_prefix=prefix,
        extra_env={"VET_JURISDICTION": "35", "VET_MIRRORED_SOURCES": "3501"},
    )
    remote = mirror.remote_topic(topic)
    assert remote == f"3501.{topic}"
    feed = RegistryFeed()
    before = registrations(feed, 200)
    await publish(kafka_bootstrap, topic, before)
    mirror.start()
    try:
        await asyncio.to_thread(mirror.wait_ready)
        first = await mirrored(province_kafka.bootstrap, remote, {e.event_id for e in before}, 120)
        assert set(first) == {e.event_id for e in before}
        for role in ("api", "worker"):
            province.start("reporting", role)
            await asyncio.to_thread(province.wait_healthy, "reporting", role)

        def persons(region: str) -> int:
            return summary(province, region)["persons"]

        await settled(lambda: asyncio.to_thread(lambda: persons("3501") == 200), 120, "the city's 200 people")

        mirror.kill()  # SIGKILL: no chance to save how far it got, so it copies some records again
        during = registrations(feed, 100)
        foreign = feed.registered(str(uuid.uuid4()), "350203001001")  # 思明区, Xiamen: not the city's to write
        await publish(kafka_bootstrap, topic, [*during, foreign])
        mirror.start()
        await asyncio.to_thread(mirror.wait_ready)
        everything = {e.event_id for e in before + during} | {foreign.event_id}
        after = await mirrored(province_kafka.bootstrap, remote, everything, 180)
        assert set(after) == everything  # nothing lost, nothing foreign

        group = province.settings("reporting").consumer_group
        behind: dict[int, int] = {}

        async def caught_up() -> bool:
            behind.update(await lag(province_kafka.bootstrap, group, remote))
            return bool(behind) and not any(behind.values())

        await settled(caught_up, 120, lambda: f"reporting to catch up (records behind, by partition: {behind})")
        # Archived is not yet counted: the projector turns the archive into counters after the consumer commits.
        await settled(lambda: projected(province, mongo_url), 120, "reporting's projector at the archive's head")
        assert persons("3501") == 300, f"mirrored as {len(after)} records ({len(after) - len(everything)} copies)"
        assert persons("35") == 300
        assert persons("3502") == 0
        dead = await mirrored(province_kafka.bootstrap, f"{remote}.dlq", {foreign.event_id}, 60)
        assert set(dead) == {foreign.event_id}
    finally:
        province.stop_all()
        mirror.stop()
    print(f"mirrored {len(everything)} events as {len(after)} records ({len(after) - len(everything)} copies)")
