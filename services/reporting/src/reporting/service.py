"""Composition root of reporting."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from reporting import api
from reporting.application import ReportingApplication
from reporting.cli import verify_archive_command
from reporting.contract import CONSUMES, TRANSLATIONS
from reporting.projections import ReportingProjection
from vet_common.eventstore import ServiceApplication
from vet_common.polling import sleep_or_stop
from vet_common.service import ServiceDefinition
from vet_common.settings import Settings
from vet_common.subscriber import BatchHandler, Handler
from vet_contracts import IntegrationEvent


def archive_handler(application: ServiceApplication) -> Handler:
    assert isinstance(application, ReportingApplication)

    async def handle(event: IntegrationEvent) -> None:
        await asyncio.to_thread(application.archive, event)

    return handle


def archive_batch_handler(application: ServiceApplication) -> BatchHandler:
    """A batch from Kafka archived in one transaction: what makes thousands of events a second possible."""
    assert isinstance(application, ReportingApplication)

    async def handle(events: list[IntegrationEvent]) -> None:
        await asyncio.to_thread(application.archive_batch, events)

    return handle


async def seal_periodically(
    application: ServiceApplication, _db: AsyncDatabase[Any], settings: Settings, stop: asyncio.Event
) -> None:
    """Seal the archive's head every archive_seal_seconds when anything arrived, so a quiet archive is sealed too."""
    assert isinstance(application, ReportingApplication)
    while not stop.is_set():
        await sleep_or_stop(stop, settings.archive_seal_seconds)
        await asyncio.to_thread(application.seal)


definition = ServiceDefinition(
    name="reporting",
    title="Reporting 统计报表",
    description="Audit archive of every integration event, and statistics by region and period.",
    application_class=ReportingApplication,
    projection_factory=lambda _application: ReportingProjection(),
    translations=TRANSLATIONS,
    routers=api.ROUTERS,
    consumes=CONSUMES,
    handler_factory=archive_handler,
    batch_handler_factory=archive_batch_handler,
    leader_tasks=[seal_periodically],
    commands={"verify-archive": verify_archive_command},
)
