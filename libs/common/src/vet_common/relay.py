"""The transactional outbox relay: this service's notification log -> its Kafka topic, nothing lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.utils import TopicError
from prometheus_client import Counter, Gauge

from vet_common.eventstore import ServiceApplication
from vet_common.follower import LogBatch, LogConsumer, LogEntry, LogFollower, UnreadableNotification
from vet_common.polling import poll
from vet_contracts import IntegrationEvent

log = logging.getLogger(__name__)

RELAY_TRACKING_NAME = "__relay__"

published_total = Counter("vet_relay_published_total", "Integration events published", ["service"])
relay_position = Gauge("vet_relay_position", "Last notification id acknowledged by Kafka", ["service"])
relay_stalled = Gauge("vet_relay_stalled", "1 when the relay stopped at an event it cannot translate", ["service"])

# Maps one domain event (and its notification id) to the public event, or None for internal events;
# raises Untranslatable for an event it has no translation for.
Translator = Callable[[DomainEventProtocol[Any], int], IntegrationEvent | None]


class Untranslatable(Exception):
    """The code has no (working) translation for a domain event: the relay stops there until it is fixed."""


class Publisher(Protocol):
    async def publish(self, topic: str, events: Sequence[IntegrationEvent]) -> None:
        """Return only when the broker has acknowledged every event, in order per key."""


class KafkaPublisher:
    """aiokafka producer with acks=all and idempotence: no duplicates from producer retries."""

    def __init__(self, bootstrap: str) -> None:
        from aiokafka import AIOKafkaProducer

        self.producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            request_timeout_ms=30000,
        )

    async def start(self) -> None:
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()

    async def publish(self, topic: str, events: Sequence[IntegrationEvent]) -> None:
        futures = [
            await self.producer.send(
                topic,
                value=event.to_bytes(),
                key=event.aggregate_id.encode(),
                headers=[(k, v.encode()) for k, v in event.headers().items()],
            )
            for event in events
        ]
        await asyncio.gather(*futures)


@dataclass
class InMemoryPublisher:
    """For unit tests: remembers what was published, and can be told to fail."""

    published: dict[str, list[IntegrationEvent]] = field(default_factory=dict)
    fail_next: int = 0

    async def publish(self, topic: str, events: Sequence[IntegrationEvent]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("broker unavailable (simulated)")
        self.published.setdefault(topic, []).extend(events)


class Relay:
    def __init__(
        self,
        app: ServiceApplication,
        translate: Translator,
        publisher: Publisher,
        topic: str,
        batch_size: int = 500,
        follower: LogFollower | None = None,
    ) -> None:
        self.app = app
        self.translate = translate
        self.publisher = publisher
        self.topic = topic
        self.batch_size = batch_size
        self.service = app.settings.service
        # Why the relay stopped, once an event cannot be translated; a new Relay (a restart) tries again.
        self.stalled: str | None = None
        relay_stalled.labels(self.service).set(0)
        # The worker's follower is shared with the projector; alone (tests, tools) the relay has its own.
        self.follower = follower or LogFollower(app)
        self.consumer = LogConsumer("relay", lambda: asyncio.to_thread(self.position), self.publish, batch_size)
        self.covered = 0  # notifications of the last batch published

    def position(self) -> int:
        return self.app.process_recorder.max_tracking_id(RELAY_TRACKING_NAME) or 0

    async def run_once(self) -> int:
        """Publish the next batch; return how many notifications it covered."""
        if self.stalled:
            return 0
        self.covered = 0
        try:
            await self.follower.run_once(self.consumer)
        except UnreadableNotification as unreadable:
            if not isinstance(unreadable.__cause__, TopicError):  # e.g. a database hiccup: retried
                raise
            self.stall(unreadable.notification_id, unreadable.__cause__)  # its event class is gone from the code
        return self.covered

    async def publish(self, batch: LogBatch) -> None:
        events, covered = self.translate_batch(batch.entries)
        if events:
            await self.publisher.publish(self.topic, events)
        if not covered:
            return
        last = covered[-1].notification_id
        # Saved only after the broker acknowledged: a crash before this line republishes, never loses.
        await asyncio.to_thread(self.app.process_recorder.insert_tracking, Tracking(RELAY_TRACKING_NAME, last))
        published_total.labels(self.service).inc(len(events))
        relay_position.labels(self.service).set(last)
        self.covered = len(covered)

    def translate_batch(self, entries: Sequence[LogEntry]) -> tuple[list[IntegrationEvent], Sequence[LogEntry]]:
        """The public events of the entries up to the first one that cannot be translated, if any.

        That one and all after it stay unpublished (order is the contract) until the code is fixed and the
        worker restarted; retrying every second would only repeat the error.
        """
        events: list[IntegrationEvent] = []
        for index, (notification_id, domain_event) in enumerate(entries):
            try:
                integration_event = self.translate(domain_event, notification_id)
            except (Untranslatable, TopicError) as error:
                self.stall(notification_id, error)
                return events, entries[:index]
            if integration_event is not None:
                events.append(integration_event)
        return events, entries

    def stall(self, notification_id: int, error: Exception) -> None:
        self.stalled = f"stopped at notification {notification_id}: {error}"
        relay_stalled.labels(self.service).set(1)
        log.error("relay for %s %s; fix the translation and restart the worker", self.service, self.stalled)

    def health(self) -> str:
        """The relay's check in the worker's /readyz."""
        return self.stalled or "ok"

    async def run(self, stop: asyncio.Event, poll_interval: float) -> None:
        log.info("relay for %s -> %s started at %s", self.service, self.topic, self.position())
        await poll("relay", self.run_once, stop, poll_interval)
