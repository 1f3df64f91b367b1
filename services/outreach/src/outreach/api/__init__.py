"""Outreach HTTP API: one router per resource."""

from outreach.api import contacts

routers = [contacts.router]
