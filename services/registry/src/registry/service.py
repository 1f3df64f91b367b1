"""Composition root of the registry: names its parts for the common api and worker."""

from registry.api import routers
from registry.application import RegistryApplication
from registry.cli import import_command
from registry.contract import TRANSLATIONS
from registry.jobs import daily_alerts, flag_duplicates, process_imports
from registry.projections import RegistryProjection
from vet_common.service import ServiceDefinition

definition = ServiceDefinition(
    name="registry",
    title="Registry 人员档案",
    description="One record per veteran and beneficiary (一人一档).",
    application_class=RegistryApplication,
    projection_factory=RegistryProjection,
    translations=TRANSLATIONS,
    routers=routers,
    leader_tasks=[process_imports, daily_alerts],
    log_consumers=[flag_duplicates],
    commands={"import": import_command},
)
