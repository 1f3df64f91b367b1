"""Composition root of outreach."""

from outreach.api import routers
from outreach.application import OutreachApplication
from outreach.application.campaigns import campaign_policies
from outreach.application.requests import request_reactions
from outreach.contract import TRANSLATIONS
from outreach.jobs.requests import daily_escalation
from outreach.projections import OutreachProjection
from outreach.reactions.contact_files import contact_files
from outreach.reactions.todo import todo_reactions
from vet_common.people import people_replica
from vet_common.service import ServiceDefinition

# What outreach does on the registry's events: the people replica (who is registered, where, alive or not) and
# each part's reactions to the same events (requests', campaigns' targets moving with a transferred person,
# contact files and pairings, the to-do list), saved in one transaction with the replica's.
reactions = people_replica | request_reactions | campaign_policies | contact_files | todo_reactions

definition = ServiceDefinition(
    name="outreach",
    title="Outreach 联系走访",
    description="Routine contact and visits with key contacts (常态化联系、走访慰问).",
    application_class=OutreachApplication,
    projection_factory=OutreachProjection,
    translations=TRANSLATIONS,
    routers=routers,
    consumes=["registry"],
    handler_factory=reactions.handler,
    leader_tasks=[daily_escalation],
)
