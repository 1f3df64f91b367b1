"""The public contract as documents: a JSON Schema per event type and FastStream's AsyncAPI document."""

from __future__ import annotations

from typing import Any, Literal

from faststream.specification import AsyncAPI
from pydantic import BaseModel, create_model

from vet_common.events import IntegrationEvent
from vet_common.service import ServiceDefinition
from vet_common.settings import Settings
from vet_common.subscriber import make_broker


def typed_envelope(event_type: str, data_model: type[BaseModel]) -> type[IntegrationEvent]:
    """The envelope with `type` fixed and `data` described: what a consumer of `event_type` receives."""
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{event_type}Event",
        __base__=IntegrationEvent,
        __doc__=f"{event_type} on its service's topic. {data_model.__doc__ or ''}".strip(),
        type=(Literal[event_type], ...),  # type: ignore[valid-type,arg-type]
        data=(data_model, ...),
    )


def event_json_schemas(definition: ServiceDefinition) -> dict[str, dict[str, Any]]:
    return {
        event_type: typed_envelope(event_type, model).model_json_schema()
        for event_type, model in definition.event_schemas.items()
    }


def asyncapi_document(definition: ServiceDefinition, settings: Settings) -> dict[str, Any]:
    """Built from a broker that declares what this service publishes and consumes; nothing connects."""
    broker = make_broker(settings)
    topic = settings.topic(definition.name)
    for event_type, model in definition.event_schemas.items():
        broker.publisher(
            topic,
            title=f"{topic}:{event_type}",
            schema=typed_envelope(event_type, model),
            description=f"{event_type}: key = aggregate id; headers event_type, schema_version, source, event_id",
        )
    for service in definition.consumes:

        @broker.subscriber(
            settings.topic(service), group_id=settings.consumer_group, title=f"{settings.topic(service)}:consume"
        )
        async def consume(event: IntegrationEvent) -> None:  # documentation only
            return None

    document = AsyncAPI(broker, title=definition.title, version="1", description=definition.description)
    return document.to_specification().to_jsonable()  # type: ignore[no-any-return]
