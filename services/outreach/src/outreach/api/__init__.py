"""Outreach HTTP API: one router per resource."""

from outreach.api import contacts, requests

routers = [contacts.router, requests.router]
