"""The state of an aggregate right after one of its events, for projections and the relay.

Moves a cached aggregate forward by one event when it can (the common case: the log is read in order),
and reads it from the event store at that version when it cannot (after a restart, or for old events).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID

from eventsourcing.application import Application


class AggregateStates:
    def __init__(self, application: Application[UUID], cache_size: int = 10_000) -> None:
        self.application = application
        self.cache: OrderedDict[UUID, Any] = OrderedDict()
        self.cache_size = cache_size

    def after(self, event: Any) -> Any:
        aggregate_id = event.originator_id
        aggregate = self.cache.pop(aggregate_id, None)
        if event.originator_version == 1:
            aggregate = event.mutate(None)
        elif aggregate is not None and aggregate.version == event.originator_version - 1:
            aggregate = event.mutate(aggregate)
        else:
            aggregate = self.application.repository.get(aggregate_id, version=event.originator_version)
        self.cache[aggregate_id] = aggregate
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        return aggregate
