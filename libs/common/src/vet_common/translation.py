"""A service's translation table: which domain events it publishes as which public event, which stay internal."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from vet_common.domain import actor_from
from vet_common.eventstore import ServiceApplication
from vet_common.relay import Translator, Untranslatable
from vet_common.states import AggregateStates
from vet_contracts import IntegrationEvent, PublicEvent


def platform_internal() -> frozenset[type]:
    """Events of the aggregates vet_common keeps in every service's store (the Idempotency-Key claims): never
    published, whatever a service's table says, so no service can forget them and stall its relay."""
    from vet_common.idempotency import IdempotencyClaim

    return frozenset(
        c for c in vars(IdempotencyClaim).values() if isinstance(c, type) and issubclass(c, IdempotencyClaim.Event)
    )


# (domain event, its aggregate's state after the event or None) -> the fields of the public event's data.
Extract = Callable[[Any, Any], Mapping[str, Any]]


@dataclass(frozen=True)
class Publish:
    """Publish a domain event as `event` (the public type and its data model), with `data` from `extract`."""

    event: type[PublicEvent]
    extract: Extract
    # Where the event belongs; by default the domain event's own `region`.
    region: Callable[[Any, Any], str] | None = None


@dataclass(frozen=True)
class TranslationTable:
    """Every domain event class of a service, published (how) or internal; `translator` makes the relay's."""

    source: str
    published: Mapping[type, Publish]
    # Domain events that stay inside the service. A class in neither stops the relay (Untranslatable).
    internal: Collection[type] = field(default_factory=frozenset)
    # Events of this class (e.g. Person.Event), or of these classes, get their aggregate's state after the
    # event, for `extract`.
    stateful: type | tuple[type, ...] | None = None

    def __post_init__(self) -> None:
        both = set(self.published) & set(self.internal)
        if both:
            raise ValueError(f"both published and internal: {sorted(c.__qualname__ for c in both)}")

    def translator(self, application: ServiceApplication) -> Translator:
        states = AggregateStates(application) if self.stateful else None
        internal = {*self.internal, *platform_internal()}

        def translate(domain_event: Any, position: int) -> IntegrationEvent | None:
            state = None
            if states is not None and self.stateful and isinstance(domain_event, self.stateful):
                state = states.after(domain_event)  # for internal events too: keeps the cache in step
            kind = type(domain_event)
            if kind in internal:
                return None
            rule = self.published.get(kind)
            if rule is None:
                raise Untranslatable(f"no translation for {kind.__qualname__}")
            try:
                data = rule.event.data_model()(**rule.extract(domain_event, state))
                region = rule.region(domain_event, state) if rule.region else domain_event.region
            except (AttributeError, KeyError, TypeError, ValueError) as error:  # ValidationError is a ValueError
                raise Untranslatable(f"cannot translate {kind.__qualname__}: {error!r}") from error
            return IntegrationEvent.build(
                type=rule.event.event_type(),
                schema_version=rule.event.SCHEMA_VERSION,
                source=self.source,
                source_position=position,
                # A federated deployment names itself, so its ids and positions stay apart from another's.
                deployment=application.settings.jurisdiction,
                aggregate_id=str(domain_event.originator_id),
                aggregate_version=domain_event.originator_version,
                occurred_at=domain_event.timestamp,
                # Automatic work (a daily alert run) has no person behind it: the system actor.
                actor=actor_from(getattr(domain_event, "actor", None) or None),
                region=region,
                data=data.model_dump(mode="json"),
            )

        return translate

    def public_events(self) -> set[type[PublicEvent]]:
        return {rule.event for rule in self.published.values()}
