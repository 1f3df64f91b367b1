"""Another department's system consuming the registry's events: plain aiokafka, no platform code.

    python examples/registry_consumer.py --bootstrap 127.0.0.1:9092 --schemas registry-schemas.json --db people.sqlite

It keeps a count of active people per region in its own SQLite file. Written from the registry's AsyncAPI
document (`GET /contract/asyncapi.json`) and JSON Schemas (`GET /contract/schemas`, saved to a file with
`curl -H "Authorization: Bearer $TOKEN" http://registry:8101/contract/schemas > registry-schemas.json`):

- topic `vet.registry.v1`, key = the person's id, so one person's events arrive in order on one partition;
- every message is the JSON envelope; `type` and `schema_version` say which schema its body follows;
- `event_id` is deterministic: a redelivered event has the same one, so this consumer applies each once.

Resuming after a restart: offsets are committed only after the events they cover are saved (at-least-once),
and the event ids already applied are kept in the same SQLite transaction as their effect, so a message
delivered again after a crash is recognised and skipped. A message that fits no schema is kept aside in
`rejected` with the reason, and the consumer goes on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import jsonschema
from aiokafka import AIOKafkaConsumer

SCHEMA = """
CREATE TABLE IF NOT EXISTS applied (event_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS people (person_id TEXT PRIMARY KEY, region TEXT NOT NULL, status TEXT NOT NULL,
                                   version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rejected (topic TEXT, partition INTEGER, "offset" INTEGER, reason TEXT);
"""


def load_schemas(path: Path) -> dict[str, Any]:
    """`GET /contract/schemas` saved to a file: {"envelope": ..., "events": {type: schema}}."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return document.get("events", document)


def check(raw: bytes, schemas: dict[str, Any]) -> dict[str, Any]:
    """The envelope, validated against its type's schema; ValueError saying why it does not fit."""
    try:
        event = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not JSON: {error}") from None
    schema = schemas.get(event.get("type")) if isinstance(event, dict) else None
    if schema is None:
        raise ValueError(f"unknown event type {event.get('type') if isinstance(event, dict) else event!r}")
    try:
        jsonschema.validate(event, schema)
    except jsonschema.ValidationError as error:
        raise ValueError(f"does not fit the schema of {event['type']}: {error.message}") from None
    return event  # type: ignore[no-any-return]


def apply(db: sqlite3.Connection, event: dict[str, Any]) -> bool:
    """Apply one event once; False if it was applied before (a redelivery)."""
    if db.execute("SELECT 1 FROM applied WHERE event_id = ?", (event["event_id"],)).fetchone():
        return False
    db.execute("INSERT INTO applied VALUES (?)", (event["event_id"],))
    data = event["data"]
    # Every person event (PersonFacts in the schemas) carries the person's facts after it, and the envelope
    # their current region: keep the newest. Others (EligibilityAlertRaised) are validated and skipped.
    if "status" in data and "person_id" in data:
        db.execute(
            "INSERT INTO people VALUES (?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET region = excluded.region,"
            " status = excluded.status, version = excluded.version WHERE excluded.version > people.version",
            (data["person_id"], event["region"], data["status"], event["aggregate_version"]),
        )
    return True


async def consume(
    bootstrap: str, topic: str, group: str, schemas: dict[str, Any], db_path: Path, idle_seconds: float | None
) -> int:
    """Consume until stopped (or, with `idle_seconds`, until nothing has arrived for that long); returns how
    many events were applied in this run."""
    db = sqlite3.connect(db_path)
    db.executescript(SCHEMA)
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    applied = 0
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=int((idle_seconds or 1) * 1000), max_records=500)
            if not batches:
                if idle_seconds is not None:
                    return applied
                continue
            with db:  # the effects and the applied ids in one transaction, committed before the offsets
                for partition, messages in batches.items():
                    for message in messages:
                        try:
                            event = check(message.value, schemas)
                        except ValueError as error:
                            db.execute(
                                "INSERT INTO rejected VALUES (?, ?, ?, ?)",
                                (partition.topic, partition.partition, message.offset, str(error)),
                            )
                            continue
                        applied += apply(db, event)
            await consumer.commit()
    finally:
        await consumer.stop()
        db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic", default="vet.registry.v1")
    parser.add_argument("--group", default="civil-affairs-people-count", help="this system's consumer group")
    parser.add_argument("--schemas", type=Path, required=True, help="GET /contract/schemas of the registry, saved")
    parser.add_argument("--db", type=Path, default=Path("people.sqlite"))
    parser.add_argument("--until-idle", type=float, default=None, help="stop after this many quiet seconds")
    args = parser.parse_args()
    applied = asyncio.run(
        consume(args.bootstrap, args.topic, args.group, load_schemas(args.schemas), args.db, args.until_idle)
    )
    print(f"applied {applied} events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
