"""The integration-event envelope: the public contract every service publishes to Kafka."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Fixed namespace so event ids are the same in every deployment for the same (source, position).
EVENT_ID_NAMESPACE = uuid.UUID("6f1c2a56-3f0e-4d55-9a63-0f3f4c7a1e11")
HEADER_NAMES = ("event_type", "schema_version", "source", "event_id")


def event_id_for(source: str, source_position: int) -> str:
    """Deterministic: a republished event keeps its id, so consumers can deduplicate."""
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{source}:{source_position}"))


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    sub: str = Field(description="Subject of the caller's token, or 'system' for automatic work")
    role: str = Field(description="The role the actor acted in")


SYSTEM_ACTOR = Actor(sub="system", role="system")


class IntegrationEvent(BaseModel):
    """Envelope of every event on the vet.<service>.v1 topics (UTF-8 JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    type: str = Field(description="Event type, e.g. PersonRegistered")
    schema_version: int = Field(ge=1)
    source: str = Field(description="Publishing service (and deployment), e.g. registry")
    source_position: int = Field(ge=1, description="Notification id in the source's event store")
    aggregate_id: str
    aggregate_version: int = Field(ge=1)
    occurred_at: datetime
    actor: Actor
    region: str = Field(description="12-digit region code (or jurisdiction prefix) the event belongs to")
    correlation_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        type: str,
        source: str,
        source_position: int,
        aggregate_id: str,
        aggregate_version: int,
        occurred_at: datetime,
        actor: Actor,
        region: str,
        data: dict[str, Any],
        schema_version: int = 1,
        correlation_id: str | None = None,
    ) -> IntegrationEvent:
        return cls(
            event_id=event_id_for(source, source_position),
            type=type,
            schema_version=schema_version,
            source=source,
            source_position=source_position,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            occurred_at=occurred_at.astimezone(UTC),
            actor=actor,
            region=region,
            correlation_id=correlation_id,
            data=data,
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> IntegrationEvent:
        return cls.model_validate_json(raw)

    def headers(self) -> dict[str, str]:
        return {
            "event_type": self.type,
            "schema_version": str(self.schema_version),
            "source": self.source,
            "event_id": self.event_id,
        }

    def canonical_json(self) -> str:
        """Stable serialisation for hashing in the audit archive."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


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


def envelope_json_schema() -> dict[str, Any]:
    return IntegrationEvent.model_json_schema()
