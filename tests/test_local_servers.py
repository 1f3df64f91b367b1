"""Each server fixture gives a real, working server (whichever way it was provided)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration


async def test_kafka_produce_and_consume(kafka_bootstrap: str) -> None:
    topic = f"test.local-servers.{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        meta = await producer.send_and_wait(topic, b'{"hello": "world"}', key=b"agg-1")
    finally:
        await producer.stop()
    assert meta.offset == 0

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=30)
        await consumer.commit()
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"agg-1", b'{"hello": "world"}')
    # The broker's defaults from the fixture: auto-created topics get 6 partitions.
    assert len(await _partitions(kafka_bootstrap, topic)) == 6


async def _partitions(bootstrap: str, topic: str) -> set[int]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        return await producer.partitions_for(topic)
    finally:
        await producer.stop()


async def test_mongo_insert_and_find(mongo_url: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        collection = client[f"test_{uuid.uuid4().hex[:8]}"]["things"]
        await collection.insert_one({"_id": "p-1", "region": "110101001001", "version": 1})
        await collection.update_one({"_id": "p-1", "version": 1}, {"$set": {"version": 2}})
        found = await collection.find_one({"region": {"$regex": "^1101"}})
        assert found == {"_id": "p-1", "region": "110101001001", "version": 2}
        await client.drop_database(collection.database.name)
    finally:
        await client.close()


async def test_postgres_query(postgres_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(postgres_url) as conn:
        table = f"t_{uuid.uuid4().hex[:8]}"
        await conn.execute(f"CREATE TABLE {table} (id text PRIMARY KEY, n int)")
        await conn.execute(f"INSERT INTO {table} VALUES (%s, %s)", ("a", 41))
        cur = await conn.execute(f"UPDATE {table} SET n = n + 1 RETURNING n")
        assert await cur.fetchone() == (42,)
        cur = await conn.execute("SELECT current_database(), version()")
        row = await cur.fetchone()
        assert row is not None
        assert row[1].startswith("PostgreSQL")
        await conn.execute(f"DROP TABLE {table}")
