"""The AsyncAPI document of a service's topic, declared from this package's event types (needs FastStream)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from vet_contracts.catalogue import events_of
from vet_contracts.envelope import IntegrationEvent


def default_topic(service: str) -> str:
    return f"vet.{service}.v1"


def asyncapi_document(
    service: str,
    *,
    title: str,
    description: str,
    bootstrap: str = "127.0.0.1:9092",
    topic: Callable[[str], str] = default_topic,
    consumes: Sequence[str] = (),
    group_id: str | None = None,
) -> dict[str, Any]:
    """What `service` publishes (a channel per event type) and which topics it consumes; nothing connects."""
    broker = KafkaBroker(bootstrap)
    own_topic = topic(service)
    for event_type, event in events_of(service).items():
        broker.publisher(
            own_topic,
            title=f"{own_topic}:{event_type}",
            schema=event,
            description=f"{event_type}: key = aggregate id; headers event_type, schema_version, source, event_id",
        )
    for upstream in consumes:

        @broker.subscriber(topic(upstream), group_id=group_id, title=f"{topic(upstream)}:consume")
        async def consume(event: IntegrationEvent) -> None:  # documentation only
            return None

    document = AsyncAPI(broker, title=title, version="1", description=description)
    return document.to_specification().to_jsonable()  # type: ignore[no-any-return]
