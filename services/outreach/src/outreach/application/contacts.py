"""Commands about contacts and visits."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from outreach.application.campaigns import reached_targets
from outreach.domain.contacts import Contact
from vet_common.auth import Principal
from vet_common.domain import Actor
from vet_common.eventstore import ServiceApplication
from vet_common.people import known_person


class ContactCommands(ServiceApplication):
    def record_contact(
        self,
        *,
        person_id: UUID,
        method: str,
        contacted_on: date,
        staff: str,
        findings: str,
        needs_follow_up: bool = False,
        occasion: str | None = None,
        campaign_id: str | None = None,
        principal: Principal,
        actor: Actor,
    ) -> UUID:
        """Record a contact with a living person the caller may see, in the person's region.

        Who the person is comes from outreach's own replica of the registry's events, never from a call to
        the registry: NotYetKnown (409) until their registration has reached outreach, NotFound (404) outside
        the caller's jurisdiction, PersonDeceased (409) once the registry recorded a death.
        """
        person = known_person(self, person_id, principal)
        person.ensure_living()
        contact = Contact(
            person_id=person.person_id,
            region=person.region,
            method=method,
            contacted_on=contacted_on,
            staff=staff,
            findings=findings,
            needs_follow_up=needs_follow_up,
            occasion=occasion,
            campaign_id=campaign_id,
            group_id=None,
            actor=actor,
        )
        # A contact naming a campaign reaches its target (422 if the person is not one of them).
        self.save(contact, *reached_targets(self, contact))
        return contact.id

    def get_contact(self, contact_id: UUID) -> Contact | None:
        return self.get_or_none(contact_id)  # type: ignore[no-any-return]
