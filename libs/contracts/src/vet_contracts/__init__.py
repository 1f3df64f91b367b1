"""The platform's public contract: the event envelope and a typed model of every event each service publishes.

from vet_contracts import parse, registry

event = parse(message_body)  # a registry.PersonDied, say
if isinstance(event, registry.PersonDied):
    print(event.data.died_on)
"""

from vet_contracts.catalogue import PUBLISHED, events_of, json_schemas, parse
from vet_contracts.envelope import (
    EVENT_ID_NAMESPACE,
    HEADER_NAMES,
    SYSTEM_ACTOR,
    Actor,
    ContractError,
    IntegrationEvent,
    MalformedEvent,
    PublicEvent,
    UnknownEventType,
    envelope_json_schema,
    event_id_for,
)

__all__ = [
    "EVENT_ID_NAMESPACE",
    "HEADER_NAMES",
    "PUBLISHED",
    "SYSTEM_ACTOR",
    "Actor",
    "ContractError",
    "IntegrationEvent",
    "MalformedEvent",
    "PublicEvent",
    "UnknownEventType",
    "envelope_json_schema",
    "event_id_for",
    "events_of",
    "json_schemas",
    "parse",
]
