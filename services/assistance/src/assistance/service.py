"""Composition root of assistance."""

from assistance import api
from assistance.application import AssistanceApplication
from assistance.contract import TRANSLATIONS
from assistance.projections import AssistanceProjection
from vet_common.people import people_replica
from vet_common.service import ServiceDefinition

definition = ServiceDefinition(
    name="assistance",
    title="Assistance 帮扶资金",
    description="Assistance funds: apply, accept, approve, notify, disburse.",
    application_class=AssistanceApplication,
    projection_factory=lambda _application: AssistanceProjection(),
    translations=TRANSLATIONS,
    routers=[api.router],
    # The people replica (vet_common.people): who is registered, where, alive or not.
    consumes=["registry"],
    handler_factory=people_replica.handler,
)
