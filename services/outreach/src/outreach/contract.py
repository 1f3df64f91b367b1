"""Integration events outreach publishes on vet.outreach.v1."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from outreach.domain import Visit
from vet_common.events import IntegrationEvent, from_domain_event

SOURCE = "outreach"


class VisitRecordedData(BaseModel):
    """data of VisitRecorded (schema_version 1). Notes stay in outreach: they may hold personal details."""

    visit_id: str
    person_id: str
    method: str
    visited_on: str


EVENT_SCHEMAS: dict[str, type[BaseModel]] = {"VisitRecorded": VisitRecordedData}


def translate(domain_event: Any, position: int) -> IntegrationEvent | None:
    if isinstance(domain_event, Visit.Recorded):
        data = VisitRecordedData(
            visit_id=str(domain_event.originator_id),
            person_id=domain_event.person_id,
            method=domain_event.method,
            visited_on=domain_event.visited_on.isoformat(),
        )
        return from_domain_event(domain_event, position, type="VisitRecorded", source=SOURCE, data=data)
    raise TypeError(f"no integration mapping for {type(domain_event).__qualname__}")
