"""The integration-event envelope every service publishes to Kafka, its typed form, and the parse errors."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Fixed namespace so event ids are the same in every deployment for the same (source, position).
EVENT_ID_NAMESPACE = uuid.UUID("6f1c2a56-3f0e-4d55-9a63-0f3f4c7a1e11")
HEADER_NAMES = ("event_type", "schema_version", "source", "event_id")


class ContractError(Exception):
    """A message that does not fit the contract. Not a ValueError: retrying cannot help, but a bug's error may."""


class MalformedEvent(ContractError):
    """Not JSON, not an envelope, or its `data` does not fit its type's model."""


class UnknownEventType(ContractError):
    """A well-formed envelope of a type (or schema version) this version of the contract does not know."""

    def __init__(self, event_type: str, schema_version: int) -> None:
        super().__init__(f"unknown event type {event_type} (schema_version {schema_version})")
        self.event_type = event_type
        self.schema_version = schema_version


def event_id_for(source: str, source_position: int, deployment: str = "") -> str:
    """Deterministic: a republished event keeps its id, so consumers can deduplicate. Two deployments' services
    count positions each from 1, so a named deployment is part of the id (a single one keeps the plain form)."""
    name = f"{deployment}:{source}:{source_position}" if deployment else f"{source}:{source_position}"
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, name))


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
    deployment: str = Field(
        default="",
        description="Region of the deployment that published it (a city's '3501') when several are federated; "
        "empty for a single deployment",
    )

    @property
    def upstream(self) -> str:
        """Whose positions `source_position` counts: the source service, of its deployment if named. A consumer
        tracks what it processed by (upstream, source_position)."""
        return f"{self.deployment}:{self.source}" if self.deployment else self.source

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
        deployment: str = "",
    ) -> IntegrationEvent:
        return cls(
            event_id=event_id_for(source, source_position, deployment),
            deployment=deployment,
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
        return self.model_dump_json(exclude=self._unset_since_v1()).encode("utf-8")

    def _unset_since_v1(self) -> set[str] | None:
        """Fields added to the envelope later, left out while empty: a single deployment's messages (and their
        archive hashes) stay byte for byte what consumers written before those fields expect."""
        return None if self.deployment else {"deployment"}

    @classmethod
    def from_bytes(cls, raw: bytes | str) -> IntegrationEvent:
        """The envelope of a message; MalformedEvent when it is not one."""
        try:
            return cls.model_validate_json(raw)
        except ValidationError as error:
            raise MalformedEvent(str(error)) from error

    def headers(self) -> dict[str, str]:
        return {
            "event_type": self.type,
            "schema_version": str(self.schema_version),
            "source": self.source,
            "event_id": self.event_id,
        }

    def canonical_body(self) -> dict[str, Any]:
        """The envelope as JSON values in its contract's form (what `canonical_json` writes), without the round
        trip through text: the audit archive stores this and hashes its canonical text."""
        return self.model_dump(mode="json", exclude=self._unset_since_v1())

    def canonical_json(self) -> str:
        """Stable serialisation for hashing in the audit archive."""
        return json.dumps(self.canonical_body(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class PublicEvent(IntegrationEvent):
    """The envelope of one event type: subclasses fix `type` with a Literal and give `data` its model.

    On the wire it is the same envelope; only its Python form is typed. Titled "<Type>Event" in schemas.
    """

    model_config = ConfigDict(model_title_generator=lambda model: f"{model.__name__}Event")

    SCHEMA_VERSION: ClassVar[int] = 1
    data: Any  # each subclass narrows it to its data model

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # A mistyped contract fails on import, not on the first message.
        cls.event_type()
        cls.data_model()

    @classmethod
    def event_type(cls) -> str:
        literals = get_args(cls.model_fields["type"].annotation)
        if len(literals) != 1:
            raise TypeError(f"{cls.__name__}.type must be a Literal of one event type name")
        return str(literals[0])

    @classmethod
    def data_model(cls) -> type[BaseModel]:
        model = cls.model_fields["data"].annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"{cls.__name__}.data must be a pydantic model")
        return model


def envelope_json_schema() -> dict[str, Any]:
    return IntegrationEvent.model_json_schema()
