"""Outreach commands over the event store."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from outreach.domain import Visit
from vet_common.auth import Principal
from vet_common.domain import Actor
from vet_common.eventstore import ServiceApplication
from vet_common.people import known_person


class OutreachApplication(ServiceApplication):
    def record_visit(
        self,
        *,
        person_id: UUID,
        method: str,
        visited_on: date,
        notes: str,
        principal: Principal,
        actor: Actor,
    ) -> UUID:
        """Record a visit with a living person the caller may see, in the person's region.

        Who the person is comes from outreach's own replica of the registry's events, never from a call to
        the registry: NotYetKnown (409) until their registration has reached outreach, NotFound (404) outside
        the caller's jurisdiction, PersonDeceased (409) once the registry recorded a death.
        """
        person = known_person(self, person_id, principal)
        person.ensure_living()
        visit = Visit(
            person_id=person.person_id,
            region=person.region,
            method=method,
            visited_on=visited_on,
            notes=notes,
            actor=actor,
        )
        self.save(visit)
        return visit.id

    def get_visit(self, visit_id: UUID) -> Visit | None:
        return self.get_or_none(visit_id)  # type: ignore[no-any-return]
