"""examples/registry_consumer.py, another department's consumer written from the published contract, against a
real Kafka: it validates every message, applies each event once, and resumes after a restart."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from vet_contracts import IntegrationEvent, envelope_json_schema, json_schemas
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration
EXAMPLE = Path(__file__).parent.parent / "examples" / "registry_consumer.py"


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("registry_consumer", EXAMPLE)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def produce(bootstrap: str, topic: str, messages: list[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value, key=key.encode())
    finally:
        await producer.stop()


def wire(event: IntegrationEvent) -> tuple[str, bytes]:
    return event.aggregate_id, event.to_bytes()


def people(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT person_id, region, status FROM people").fetchall()
    return {person: (region, status) for person, region, status in rows}


def rejected(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [reason for (reason,) in connection.execute("SELECT reason FROM rejected")]


async def test_the_example_consumer_validates_applies_once_and_resumes(kafka_bootstrap: str, tmp_path: Path) -> None:
    consumer = example()
    schemas_file = tmp_path / "registry-schemas.json"
    # What GET /contract/schemas of the registry answers.
    schemas_file.write_text(json.dumps({"envelope": envelope_json_schema(), "events": json_schemas("registry")}))
    schemas: dict[str, Any] = consumer.load_schemas(schemas_file)
    topic, group, db = f"vet.registry.v1.example-{uuid.uuid4().hex[:6]}", "civil-affairs-test", tmp_path / "p.sqlite"
    feed = RegistryFeed()
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    registered = [feed.registered(first, "350102001001"), feed.registered(second, "350102001002")]
    await produce(kafka_bootstrap, topic, [wire(e) for e in registered])

    assert await consumer.consume(kafka_bootstrap, topic, group, schemas, db, idle_seconds=3) == 2
    assert people(db) == {first: ("350102001001", "active"), second: ("350102001002", "active")}

    # While it is stopped: a transfer, a death, a redelivery of the first event, and two messages that fit no schema.
    later = [feed.transferred(first, "350103001001"), feed.died(second)]
    broken = json.loads(registered[0].to_bytes())
    del broken["data"]["status"]
    await produce(
        kafka_bootstrap,
        topic,
        [*map(wire, later), wire(registered[0]), (first, json.dumps(broken).encode()), (first, b"not json")],
    )

    assert await consumer.consume(kafka_bootstrap, topic, group, schemas, db, idle_seconds=3) == 2
    assert people(db) == {first: ("350103001001", "active"), second: ("350102001002", "deceased")}
    reasons = rejected(db)
    assert len(reasons) == 2
    assert "does not fit the schema of PersonRegistered" in reasons[0]
    assert "status" in reasons[0]
    assert reasons[1].startswith("not JSON")

    # Restarted with nothing new: the committed offsets hold, nothing is applied again.
    assert await consumer.consume(kafka_bootstrap, topic, group, schemas, db, idle_seconds=2) == 0


def test_the_example_imports_no_platform_code() -> None:
    source = EXAMPLE.read_text(encoding="utf-8")
    assert "vet_" not in source.replace("vet.registry.v1", "")


def test_check_names_an_unknown_type() -> None:
    with pytest.raises(ValueError, match="unknown event type 'Nonsense'"):
        example().check(json.dumps({"type": "Nonsense"}).encode(), {})
