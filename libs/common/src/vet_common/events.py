"""The integration-event envelope now lives in vet_contracts; these names stay importable from here."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from vet_contracts.envelope import (
    EVENT_ID_NAMESPACE,
    HEADER_NAMES,
    SYSTEM_ACTOR,
    Actor,
    IntegrationEvent,
    envelope_json_schema,
    event_id_for,
)

__all__ = [
    "EVENT_ID_NAMESPACE",
    "HEADER_NAMES",
    "SYSTEM_ACTOR",
    "Actor",
    "IntegrationEvent",
    "envelope_json_schema",
    "event_id_for",
    "from_domain_event",
]


def from_domain_event(
    domain_event: Any, position: int, *, type: str, source: str, data: BaseModel, region: str | None = None
) -> IntegrationEvent:
    """The envelope of a domain event that carries `actor` and `region` (or is given the region)."""
    return IntegrationEvent.build(
        type=type,
        source=source,
        source_position=position,
        aggregate_id=str(domain_event.originator_id),
        aggregate_version=domain_event.originator_version,
        occurred_at=domain_event.timestamp,
        # Automatic work (a daily alert run) has no person behind it.
        actor=_actor_of(getattr(domain_event, "actor", None)),
        region=region or domain_event.region,
        data=data.model_dump(mode="json"),
    )


def _actor_of(value: Any) -> Actor:
    # Events recorded before Actor was a type hold a plain mapping.
    if not value:
        return SYSTEM_ACTOR
    return value if isinstance(value, Actor) else Actor(**value)
