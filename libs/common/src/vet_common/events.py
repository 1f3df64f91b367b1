"""The integration-event envelope moved to vet_contracts; its names stay importable from here for older code."""

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
]
