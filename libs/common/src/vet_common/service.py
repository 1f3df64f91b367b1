"""What one service is made of, so api.py and worker.py can wire any of the four the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from vet_common.eventstore import ServiceApplication
from vet_common.follower import LogConsumer
from vet_common.projector import Projection
from vet_common.relay import Translator
from vet_common.settings import Settings
from vet_common.subscriber import BatchHandler, Handler
from vet_common.translation import TranslationTable
from vet_contracts import PublicEvent, events_of

LeaderTask = Callable[[ServiceApplication, AsyncDatabase[Any], Settings, asyncio.Event], Awaitable[None]]
LogConsumerFactory = Callable[[ServiceApplication, AsyncDatabase[Any], Settings], LogConsumer]


@dataclass(kw_only=True)
class ServiceDefinition:
    """The composition root of a service names its parts here."""

    name: str
    title: str
    description: str
    # Called with the settings; a test harness also passes `env` (another event store) and `clock`.
    application_class: type[ServiceApplication]
    # Builds the read models; given the application so a projection can read aggregate state.
    projection_factory: Callable[[ServiceApplication], Projection]
    # Which domain events the relay publishes as which public event (contract.py).
    translations: TranslationTable
    routers: list[APIRouter]
    # Topics of other services this service reacts to, and the reaction; None consumes nothing.
    consumes: list[str] = field(default_factory=list)
    handler_factory: Callable[[ServiceApplication], Handler] | None = None
    # When given, messages are consumed in batches (vet_common.subscriber.subscribe_batch): this handles a
    # batch in one go, `handler_factory`'s handler each message of a batch that failed.
    batch_handler_factory: Callable[[ServiceApplication], BatchHandler] | None = None
    # Long-running work only the leading worker does (beside relay and projector), e.g. a daily run.
    leader_tasks: list[LeaderTask] = field(default_factory=list)
    # Further readers of the notification log in the leading worker; they share the relay's and
    # projector's reads (vet_common.follower), each keeping its own position.
    log_consumers: list[LogConsumerFactory] = field(default_factory=list)
    # Extra `python -m <service> NAME ...` commands: NAME -> function(settings, argv) -> exit code.
    commands: dict[str, Callable[[Settings, list[str]], int]] = field(default_factory=dict)

    @property
    def translator_factory(self) -> Callable[[ServiceApplication], Translator]:
        """Builds the relay's translation of domain events to integration events (given the application)."""
        return self.translations.translator

    @property
    def event_schemas(self) -> dict[str, type[PublicEvent]]:
        """The public event types this service publishes, from the contracts package."""
        return events_of(self.name)


def mongo_client(settings: Settings) -> AsyncMongoClient[Any]:
    # Connections idle for a minute are closed by us before a server closes them under us.
    return AsyncMongoClient(settings.mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000, maxIdleTimeMS=60_000)


def read_model_db(client: AsyncMongoClient[Any], settings: Settings) -> AsyncDatabase[Any]:
    return client[settings.read_model_db_name]
