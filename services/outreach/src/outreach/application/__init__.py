"""Outreach's application: one class made of the commands of each part (contacts, pairings, rules, campaigns,
requests), each in its own module, over one event store."""

from outreach.application.campaigns import CampaignCommands
from outreach.application.contacts import ContactCommands
from outreach.application.requests import RequestCommands


class OutreachApplication(ContactCommands, RequestCommands, CampaignCommands):
    pass


__all__ = ["OutreachApplication"]
