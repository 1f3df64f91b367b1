"""The contract documents /contract/* serve for a service, from the contracts package and its settings."""

from __future__ import annotations

from typing import Any

from vet_common.service import ServiceDefinition
from vet_common.settings import Settings
from vet_contracts import json_schemas
from vet_contracts.asyncapi import asyncapi_document as contract_document


def event_json_schemas(definition: ServiceDefinition) -> dict[str, dict[str, Any]]:
    return json_schemas(definition.name)


def asyncapi_document(definition: ServiceDefinition, settings: Settings) -> dict[str, Any]:
    """What this service publishes and consumes, on this deployment's topics; nothing connects."""
    return contract_document(
        definition.name,
        title=definition.title,
        description=definition.description,
        bootstrap=settings.kafka_bootstrap,
        topic=settings.topic,
        consumes=definition.consumes,
        group_id=settings.consumer_group,
    )
