"""What one service is made of, so api.py and worker.py can wire any of the four the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from vet_common.eventstore import ServiceApplication
from vet_common.projector import Projection
from vet_common.relay import Translator
from vet_common.settings import Settings
from vet_common.subscriber import Handler


@dataclass(kw_only=True)
class ServiceDefinition:
    """The composition root of a service names its parts here."""

    name: str
    title: str
    description: str
    application_class: Callable[[Settings], ServiceApplication]
    projection_factory: Callable[[], Projection]
    translate: Translator
    routers: list[APIRouter]
    # Public event types this service publishes and the model of each one's `data` (contract.py).
    event_schemas: dict[str, type[BaseModel]] = field(default_factory=dict)
    # Topics of other services this service reacts to, and the reaction; None consumes nothing.
    consumes: list[str] = field(default_factory=list)
    handler_factory: Callable[[ServiceApplication], Handler] | None = None


def mongo_client(settings: Settings) -> AsyncMongoClient[Any]:
    return AsyncMongoClient(settings.mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000)


def read_model_db(client: AsyncMongoClient[Any], settings: Settings) -> AsyncDatabase[Any]:
    return client[settings.read_model_db_name]
