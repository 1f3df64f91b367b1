"""Outreach domain: contacts, pairings, contact rules, campaigns and the request ledger."""

from outreach.domain.contacts import Contact, ContactMethod
from vet_common.people import PersonReplica

# The registry's people, as outreach knows them from vet.registry.v1, are kept in this store too.
__all__ = ["Contact", "ContactMethod", "PersonReplica"]
