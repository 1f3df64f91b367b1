"""Outreach HTTP API: one router per resource."""

from outreach.api import campaigns, contacts, requests

routers = [contacts.router, requests.router, campaigns.router]
