"""Every public event type by publishing service: what `parse` recognises and `json_schemas` describes."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from vet_contracts import assistance, outreach, registry
from vet_contracts.envelope import IntegrationEvent, MalformedEvent, PublicEvent, UnknownEventType

# Publishing service -> its event types. Reporting publishes nothing: its archive stays its own.
PUBLISHED: dict[str, tuple[type[PublicEvent], ...]] = {
    "registry": registry.EVENTS,
    "outreach": outreach.EVENTS,
    "assistance": assistance.EVENTS,
    "reporting": (),
}


def _by_type() -> dict[tuple[str, int], type[PublicEvent]]:
    known: dict[tuple[str, int], type[PublicEvent]] = {}
    for events in PUBLISHED.values():
        for event in events:
            key = (event.event_type(), event.SCHEMA_VERSION)
            # A consumer reads `type` alone, whatever the topic: a type belongs to one service only.
            assert key not in known, f"{key} is defined twice"
            known[key] = event
    return known


BY_TYPE = _by_type()


def events_of(service: str) -> dict[str, type[PublicEvent]]:
    """The event types `service` publishes, by type name (KeyError for a service the contract does not know)."""
    return {event.event_type(): event for event in PUBLISHED[service]}


def parse(raw: bytes | str | IntegrationEvent) -> PublicEvent:
    """The typed event of a message or envelope: `parse(body).data.died_on` for a PersonDied.

    Raises UnknownEventType for a type or schema version this contract does not know, MalformedEvent for
    anything that is not a valid event of its type (both ContractError, never ValueError).
    """
    if isinstance(raw, PublicEvent):
        return raw
    envelope = raw if isinstance(raw, IntegrationEvent) else IntegrationEvent.from_bytes(raw)
    event_class = BY_TYPE.get((envelope.type, envelope.schema_version))
    if event_class is None:
        raise UnknownEventType(envelope.type, envelope.schema_version)
    try:
        return event_class.model_validate(envelope.model_dump())
    except ValidationError as error:
        raise MalformedEvent(f"{envelope.type} {envelope.event_id}: {error}") from error


def json_schemas(service: str | None = None) -> dict[str, dict[str, Any]]:
    """JSON Schema of each event type (the typed envelope), of one service or of all."""
    services = [service] if service else list(PUBLISHED)
    return {name: event.model_json_schema() for s in services for name, event in events_of(s).items()}
