"""Composition root of the registry: names its parts for the common api and worker."""

from registry import api
from registry.application import RegistryApplication
from registry.contract import EVENT_SCHEMAS, translate
from registry.projections import RegistryProjection
from vet_common.service import ServiceDefinition

definition = ServiceDefinition(
    name="registry",
    title="Registry 人员档案",
    description="One record per veteran and beneficiary (一人一档).",
    application_class=RegistryApplication,
    projection_factory=RegistryProjection,
    translate=translate,
    event_schemas=EVENT_SCHEMAS,
    routers=[api.router],
)
