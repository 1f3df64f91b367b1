"""A service under test without servers: its application on an in-memory event store, with a fixed clock.

    harness = ServiceHarness[RegistryApplication](registry.service.definition)
    person_id = harness.app.register_person(registration, actor)
    assert [event.type for event in harness.published()] == ["PersonRegistered"]

Events are encrypted and transcoded as in production (the cipher stays on); only the recorder is in memory.
Its tracking keeps every position, as production's multi-row tracking does, so redelivery and Kafka's
interleaved partitions behave the same here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import tempfile
from collections.abc import Coroutine
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, ProcessRecorder, Tracking
from eventsourcing.popo import POPOFactory, POPOProcessRecorder
from pymongo.asynchronous.database import AsyncDatabase

from vet_common.domain import FixedClock
from vet_common.eventstore import ServiceApplication
from vet_common.projector import Projector, setup_query_indexes
from vet_common.relay import InMemoryPublisher, Relay
from vet_common.service import ServiceDefinition
from vet_common.settings import Settings
from vet_common.subscriber import Handler
from vet_contracts import IntegrationEvent

__all__ = ["DEFAULT_TODAY", "InMemoryFactory", "InMemoryProcessRecorder", "OneRound", "ServiceHarness"]

AppT = TypeVar("AppT", bound=ServiceApplication)
T = TypeVar("T")

DEFAULT_TODAY = date(2026, 6, 1)
DomainEvent = DomainEventProtocol[UUID]


class InMemoryProcessRecorder(POPOProcessRecorder):
    """eventsourcing's in-memory recorder with multi-row tracking: each (upstream, position) once, in any order."""

    def __init__(self) -> None:
        super().__init__()
        self._positions: set[tuple[str, int]] = set()

    def _assert_tracking_uniqueness(self, tracking: Tracking) -> None:
        if (tracking.application_name, tracking.notification_id) in self._positions:
            raise IntegrityError(f"already tracked: {tracking.application_name} {tracking.notification_id}")

    def _insert_tracking(self, tracking: Tracking) -> None:
        self._positions.add((tracking.application_name, tracking.notification_id))
        current = self._max_tracking_ids[tracking.application_name] or 0
        self._max_tracking_ids[tracking.application_name] = max(current, tracking.notification_id)

    def has_position(self, upstream: str, position: int) -> bool:
        with self._database_lock:
            return (upstream, position) in self._positions


class InMemoryFactory(POPOFactory):
    """PERSISTENCE_MODULE for the harness: eventsourcing.popo with the recorder above."""

    def process_recorder(self) -> ProcessRecorder:
        return InMemoryProcessRecorder()


IN_MEMORY = {"PERSISTENCE_MODULE": f"{InMemoryFactory.__module__}:{InMemoryFactory.__qualname__}"}


class ServiceHarness(Generic[AppT]):
    """One service's application, its relay's output, its consumer and its read models, driven by a test."""

    def __init__(
        self,
        definition: ServiceDefinition,
        *,
        today: date | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.definition = definition
        # Settings makes its data directory even when the event store is elsewhere; nothing is written there.
        self.settings = settings or Settings.for_service(
            definition.name, data_dir=Path(tempfile.gettempdir()) / "vet-harness"
        )
        self._clock = FixedClock(today or DEFAULT_TODAY)
        self.app = cast(AppT, definition.application_class(self.settings, env=IN_MEMORY, clock=self._clock))
        self._publisher = InMemoryPublisher()
        self._relay = Relay(
            self.app, definition.translator_factory(self.app), self._publisher, self.settings.topic(definition.name)
        )
        self._handler: Handler | None = None
        self._set_up: set[str] = set()

    # The clock ------------------------------------------------------------------------------------------------

    @property
    def clock(self) -> FixedClock:
        """The application's clock; move it with `harness.clock.set(...)` / `.advance(days=1)`, or replace it."""
        return self._clock

    @clock.setter
    def clock(self, clock: FixedClock) -> None:
        self._clock = clock
        self.app.clock = clock

    # What was recorded ----------------------------------------------------------------------------------------

    def events(self, aggregate_id: UUID) -> list[DomainEvent]:
        """The domain events of one aggregate, oldest first."""
        return list(self.app.events.get(aggregate_id))

    def all_events(self) -> list[DomainEvent]:
        """Every domain event recorded, in the order of the notification log."""
        recorder = self.app.process_recorder
        events: list[DomainEvent] = []
        start = 0
        while notifications := recorder.select_notifications(start, 1000, inclusive_of_start=False):
            events += [self.app.mapper.to_domain_event(notification) for notification in notifications]
            start = notifications[-1].id
        return events

    def recorded_count(self) -> int:
        """How many domain events were recorded: unchanged by a refused command."""
        return self.app.process_recorder.max_notification_id() or 0

    # Relay, consumer, projector -------------------------------------------------------------------------------

    def published(self) -> list[IntegrationEvent]:
        """Every integration event the relay has published so far, in order (the relay catches up first).

        AssertionError when the relay stopped at an event it cannot translate (as production's would)."""

        async def drain() -> None:
            while await self._relay.run_once():
                pass

        _run(drain())
        if self._relay.stalled:  # a domain event without a translation: production's relay would stop here too
            raise AssertionError(f"the relay of {self.definition.name} {self._relay.stalled}")
        return [event for events in self._publisher.published.values() for event in events]

    def deliver(self, event: IntegrationEvent) -> None:
        """Hand an integration event of another service to this service's consumer, as the subscriber would."""
        if self._handler is None:
            if self.definition.handler_factory is None:
                raise TypeError(f"{self.definition.name} consumes no integration events")
            self._handler = self.definition.handler_factory(self.app)
        handle = self._handler

        async def handled() -> None:
            await handle(event)

        _run(handled())

    async def run_projections(self, db: AsyncDatabase[Any]) -> int:
        """Bring the read models in `db` up to date; returns how many notifications were applied."""
        projection = self.definition.projection_factory(self.app)
        if db.name not in self._set_up:
            await projection.setup(db)
            await setup_query_indexes(projection, db)
            self._set_up.add(db.name)
        projector = Projector(self.app, db, projection)
        total = 0
        while count := await projector.run_once():
            total += count
        return total


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from synchronous code, or from an async test (on a helper thread's loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


class OneRound:
    """A stop event that lets a leader task's loop (`poll`, `daily`) run its step once: a test runs a worker's
    task for one round, e.g. `await daily_escalation(app, db, settings, OneRound())`."""

    def __init__(self) -> None:
        self.checks = 0

    def is_set(self) -> bool:
        self.checks += 1
        return self.checks > 1

    async def wait(self) -> bool:
        return True
