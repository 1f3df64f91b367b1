"""Integration events outreach publishes on vet.outreach.v1."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from vet_contracts.envelope import PublicEvent


class VisitRecordedData(BaseModel):
    """data of VisitRecorded (schema_version 1). Notes stay in outreach: they may hold personal details."""

    visit_id: str
    person_id: str
    method: str
    visited_on: str


class VisitRecorded(PublicEvent):
    """A staff member contacted or visited a person."""

    type: Literal["VisitRecorded"]
    data: VisitRecordedData


EVENTS: tuple[type[PublicEvent], ...] = (VisitRecorded,)
