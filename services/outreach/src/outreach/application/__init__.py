"""Outreach's application: one class made of the commands of each part (contacts, pairings, rules, campaigns,
requests), each in its own module, over one event store."""

from outreach.application.campaigns import CampaignCommands
from outreach.application.contacts import ContactCommands
from outreach.application.pairings import PairingCommands
from outreach.application.requests import RequestCommands
from outreach.application.rules import RuleCommands
from outreach.application.todo import TodoCommands


# RequestCommands builds on ContactCommands (a visit and the request found in it, in one step).
class OutreachApplication(
    RequestCommands, ContactCommands, CampaignCommands, PairingCommands, RuleCommands, TodoCommands
):
    pass


__all__ = ["OutreachApplication"]
