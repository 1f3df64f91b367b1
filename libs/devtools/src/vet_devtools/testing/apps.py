"""A tiny event-sourced application for testing the plumbing without any service's domain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventsourcing.domain import Aggregate, event
from pymongo.asynchronous.database import AsyncDatabase

from vet_common.eventstore import ServiceApplication
from vet_common.projector import ReadModelBatch
from vet_common.settings import Settings
from vet_contracts import SYSTEM_ACTOR, IntegrationEvent


class Counter(Aggregate):
    @event("Started")
    def __init__(self, *, region: str) -> None:
        self.region = region
        self.value = 0

    @event("Incremented")
    def increment(self) -> None:
        self.value += 1


class CounterApplication(ServiceApplication):
    @classmethod
    def in_directory(cls, directory: Path, **settings: Any) -> CounterApplication:
        return cls(Settings.for_service("registry", data_dir=directory, **settings))


def translate_counter(domain_event: Any, position: int) -> IntegrationEvent:
    return IntegrationEvent.build(
        type=type(domain_event).__name__,
        source="counter",
        source_position=position,
        aggregate_id=str(domain_event.originator_id),
        aggregate_version=domain_event.originator_version,
        occurred_at=domain_event.timestamp,
        actor=SYSTEM_ACTOR,
        region=getattr(domain_event, "region", "350102001001"),
        data={},
    )


class CounterProjection:
    """Documents hold the aggregate's state, so applying an event twice cannot count it twice."""

    def __init__(self, app: ServiceApplication) -> None:
        from vet_common.states import AggregateStates

        self.states = AggregateStates(app)

    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.counters.create_index([("region", 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        counter = self.states.after(event)
        batch.put("counters", str(counter.id), counter.version, {"region": counter.region, "value": counter.value})
