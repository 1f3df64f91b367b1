"""Consuming other services' integration events with FastStream: commit after the handler, retry, dead-letter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter

from vet_common.settings import Settings
from vet_contracts import ContractError, IntegrationEvent

log = logging.getLogger(__name__)

Handler = Callable[[IntegrationEvent], Awaitable[None]]
BatchHandler = Callable[[list[IntegrationEvent]], Awaitable[None]]

consumed_total = Counter("vet_consumed_total", "Integration events handled", ["service", "topic"])
dead_lettered_total = Counter("vet_dead_lettered_total", "Messages sent to a dead-letter topic", ["service", "topic"])


class OutsideJurisdiction(ContractError):
    """An event whose region its topic may not carry: dead-lettered at once, never applied."""


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def make_broker(settings: Settings) -> KafkaBroker:
    # acks=all and idempotence for everything this broker publishes (dead letters included).
    return KafkaBroker(settings.kafka_bootstrap, acks="all", enable_idempotence=True, logger=log)


def subscribe(
    broker: KafkaBroker,
    settings: Settings,
    topics: list[str],
    handle: Handler,
    retry_delay: float = 0.5,
) -> Any:
    """Register `handle` for `topics` in this service's consumer group.

    The offset is committed only after this function returns (AckPolicy.ACK), so a crash mid-handler
    redelivers; the handler makes that harmless (Tracking). A message that fails max_delivery_attempts
    times, or does not fit the contract (vet_contracts.ContractError), or carries a region its topic may not
    (Settings.region_allowed: a mirrored city writing another's figures), is published to <topic>.dlq with
    the error and committed, so it never blocks its partition.
    """

    @broker.subscriber(
        *topics,
        group_id=settings.consumer_group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
    )
    async def on_message(message: KafkaMessage) -> None:
        # The raw bytes, not FastStream's decoding: a malformed message must reach our dead-letter path.
        record: Any = message.raw_message
        await deliver_one(broker, settings, record.topic, message.body, record.key, handle, retry_delay)

    return on_message


def subscribe_batch(
    broker: KafkaBroker,
    settings: Settings,
    topics: list[str],
    handle_batch: BatchHandler,
    handle: Handler,
    retry_delay: float = 0.5,
    max_records: int = 2000,
) -> Any:
    """As `subscribe`, but up to `max_records` messages at a time go to `handle_batch` (one transaction for
    them all, where a consumer's writes are the limit); their offsets are committed after it returns. A
    batch that fails is handled again message by message with `handle`, exactly as `subscribe` does, so a
    poison message is retried and dead-lettered alone and the others get through.

    The handler reads the records' raw bytes, so FastStream's own decoding of each message (a JSON parse and a
    message object per record, as much CPU as the envelope's own parse) is skipped (`_undecoded`). 2,000
    records a batch: a batch's fixed costs (the commit to Kafka, the transaction, the archive head) then cost
    a few microseconds an event, and Kafka serves a quarter as many fetches.
    """

    @broker.subscriber(
        *topics,
        group_id=settings.consumer_group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
        batch=True,
        max_records=max_records,
        decoder=_undecoded,
    )
    async def on_batch(message: KafkaMessage) -> None:
        records: tuple[Any, ...] = message.raw_message  # type: ignore[assignment]
        try:
            events = [IntegrationEvent.from_bytes(record.value or b"") for record in records]
            for record, event in zip(records, events, strict=True):
                refusal = settings.region_allowed(record.topic, event.region)
                if refusal:
                    raise OutsideJurisdiction(refusal)
            await handle_batch(events)
        except Exception as error:
            log.warning("handling a batch of %s failed (%r): one message at a time", len(records), error)
        else:
            per_topic: dict[str, int] = {}
            for record in records:
                per_topic[record.topic] = per_topic.get(record.topic, 0) + 1
            for topic, count in per_topic.items():
                consumed_total.labels(settings.service, topic).inc(count)
            return
        for record in records:
            await deliver_one(broker, settings, record.topic, record.value or b"", record.key, handle, retry_delay)

    return on_batch


async def _undecoded(_message: Any) -> None:
    """The batch's body, which nothing reads (see subscribe_batch)."""
    return None


async def deliver_one(
    broker: KafkaBroker,
    settings: Settings,
    topic: str,
    body: bytes,
    key: bytes | None,
    handle: Handler,
    retry_delay: float,
) -> None:
    """Handle one message, retrying; dead-letter it when it keeps failing or does not fit the contract."""
    last_error: Exception | None = None
    for attempt in range(1, settings.max_delivery_attempts + 1):
        try:
            event = IntegrationEvent.from_bytes(body)
            refusal = settings.region_allowed(topic, event.region)
            if refusal:
                raise OutsideJurisdiction(refusal)
            await handle(event)
            consumed_total.labels(settings.service, topic).inc()
            return
        except Exception as error:
            last_error = error
            if isinstance(error, ContractError):
                break  # malformed or of an unknown type: retrying cannot help (a bug's ValueError may)
            log.warning("handling %s failed (attempt %s): %r", topic, attempt, error)
            await asyncio.sleep(retry_delay * attempt)
    log.error("dead-lettering a message from %s: %r", topic, last_error)
    await broker.publish(
        body,
        topic=dlq_topic(topic),
        key=key,
        headers={
            "error": repr(last_error)[:1000],
            "original_topic": topic,
            "consumer_group": settings.consumer_group,
        },
    )
    dead_lettered_total.labels(settings.service, topic).inc()
