"""Outreach HTTP API: one router per resource."""

from outreach.api import campaigns, contacts, pairings, requests, schedule, todo

# The schedule's /contacts/due and /contacts/overdue before /contacts/{contact_id}, which would take them for ids.
routers = [schedule.router, contacts.router, requests.router, campaigns.router, pairings.router, todo.router]
