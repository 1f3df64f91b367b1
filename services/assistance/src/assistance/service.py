"""Composition root of assistance."""

from assistance.api import routers
from assistance.application import AssistanceApplication
from assistance.contract import TRANSLATIONS
from assistance.migrations import migrate_roll_command
from assistance.policies import reactions
from assistance.projections import AssistanceProjection
from vet_common.service import ServiceDefinition

definition = ServiceDefinition(
    name="assistance",
    title="Assistance 帮扶资金",
    description=(
        "Funds with budgets and versioned rules; applications from request to payment (申请、受理、审批、告知、"
        "拨付、回访); regular entitlements and their monthly payrolls."
    ),
    application_class=AssistanceApplication,
    projection_factory=AssistanceProjection,
    translations=TRANSLATIONS,
    routers=routers,
    # The people replica (vet_common.people) and the reactions to deaths, transfers and eligibility alerts.
    consumes=["registry"],
    handler_factory=reactions.handler,
    commands={"migrate-enrolment-roll": migrate_roll_command},
)
