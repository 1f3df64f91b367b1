"""Composition root of reporting."""

import asyncio

from reporting import api
from reporting.application import ReportingApplication
from reporting.contract import CONSUMES, TRANSLATIONS
from reporting.projections import ReportingProjection
from vet_common.eventstore import ServiceApplication
from vet_common.service import ServiceDefinition
from vet_common.subscriber import Handler
from vet_contracts import IntegrationEvent


def archive_handler(application: ServiceApplication) -> Handler:
    assert isinstance(application, ReportingApplication)

    async def handle(event: IntegrationEvent) -> None:
        await asyncio.to_thread(application.archive, event)

    return handle


definition = ServiceDefinition(
    name="reporting",
    title="Reporting 统计报表",
    description="Audit archive of every integration event, and statistics by region.",
    application_class=ReportingApplication,
    projection_factory=lambda _application: ReportingProjection(),
    translations=TRANSLATIONS,
    routers=[api.router],
    consumes=CONSUMES,
    handler_factory=archive_handler,
)
