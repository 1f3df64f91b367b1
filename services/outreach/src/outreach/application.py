"""Outreach commands over the event store."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from outreach.domain import Visit
from vet_common.domain import Actor
from vet_common.eventstore import ServiceApplication


class OutreachApplication(ServiceApplication):
    def record_visit(
        self,
        *,
        person_id: str,
        region: str,
        method: str,
        visited_on: date,
        notes: str,
        actor: Actor,
    ) -> UUID:
        visit = Visit(
            person_id=person_id, region=region, method=method, visited_on=visited_on, notes=notes, actor=actor
        )
        self.save(visit)
        return visit.id

    def get_visit(self, visit_id: UUID) -> Visit | None:
        return self.get_or_none(visit_id)  # type: ignore[no-any-return]
