"""A service's reactions to other services' public events: typed handlers per event type, saved with Tracking.

    people = Policies()

    @people.on(registry.PersonDied)
    def stop_pairings(app: ServiceApplication, event: registry.PersonDied) -> list[Aggregate]:
        ...  # load, change and return the aggregates; the dispatcher saves them

    definition = ServiceDefinition(..., consumes=["registry"], handler_factory=people.handler)

A handler changes aggregates and returns them; it saves nothing. The dispatcher saves what every handler of
the event's type returned in one transaction with `Tracking(event.upstream, event.source_position)`, so a
redelivered event has no second effect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from eventsourcing.persistence import IntegrityError, Tracking

from vet_common.eventstore import ServiceApplication
from vet_common.subscriber import Handler
from vet_contracts import IntegrationEvent, PublicEvent, parse

log = logging.getLogger(__name__)

E = TypeVar("E", bound=PublicEvent)
# (the service's application, the typed event) -> the aggregates it changed (unsaved), possibly none.
Policy = Callable[[Any, E], Iterable[Any]]


class Policies:
    """Which handlers react to which public event types. Types nobody here reacts to are ignored."""

    def __init__(self, handlers: Mapping[type[PublicEvent], Policy[Any]] | None = None) -> None:
        self._handlers: dict[type[PublicEvent], list[Policy[Any]]] = {}
        for event_type, handler in (handlers or {}).items():
            self.add(event_type, handler)

    def add(self, event_type: type[E], handler: Policy[E]) -> None:
        self._handlers.setdefault(event_type, []).append(handler)

    def on(self, *event_types: type[E]) -> Callable[[Policy[E]], Policy[E]]:
        """Decorator: `handler` reacts to each of `event_types`."""

        def register(handler: Policy[E]) -> Policy[E]:
            for event_type in event_types:
                self.add(event_type, handler)
            return handler

        return register

    def __or__(self, other: Policies) -> Policies:
        """Both sets of reactions: where both react to a type, both handlers run, in one transaction."""
        combined = Policies()
        for source in (self, other):
            for event_type, handlers in source._handlers.items():
                for handler in handlers:
                    combined.add(event_type, handler)
        return combined

    @property
    def event_types(self) -> set[type[PublicEvent]]:
        return set(self._handlers)

    def handlers_of(self, event_type: type[PublicEvent]) -> Sequence[Policy[Any]]:
        return self._handlers.get(event_type, ())

    def process(self, application: ServiceApplication, envelope: IntegrationEvent, attempts: int = 3) -> bool:
        """React to one event: True if its effects were saved now, False if ignored or already processed.

        Raises the contracts package's errors for a message that does not fit the contract, so the subscriber
        dead-letters it at once; a handler's own error goes up to be retried, then dead-lettered.
        """
        event = parse(envelope)
        handlers = self.handlers_of(type(event))
        if not handlers:
            return False  # nothing here reacts to this type: nothing to save, nothing to remember
        tracking = Tracking(event.upstream, event.source_position)
        for attempt in range(1, attempts + 1):
            if application.has_processed(tracking):
                return False
            # Each attempt loads afresh, so a retry decides on what the winner of a conflict saved.
            changed = [aggregate for handler in handlers for aggregate in handler(application, event)]
            try:
                # Tracked even when nothing changed: a redelivery must not be decided again on later state.
                return application.save_tracked(tracking, *changed)
            except IntegrityError:
                # Another writer saved one of these aggregates first (a rebalance, two partitions touching
                # one aggregate): reload and decide again.
                if attempt == attempts:
                    raise
                log.info("version conflict on %s %s; retrying", event.type, event.event_id)
        return False

    def handler(self, application: ServiceApplication) -> Handler:
        """The subscriber's handler (what `ServiceDefinition.handler_factory` returns)."""

        async def handle(envelope: IntegrationEvent) -> None:
            await asyncio.to_thread(self.process, application, envelope)

        return handle
