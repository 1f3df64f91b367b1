"""Integration events outreach publishes on vet.outreach.v1."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from vet_contracts.envelope import PublicEvent


class ContactRecordedData(BaseModel):
    """data of ContactRecorded (schema_version 1). Findings stay in outreach: they may hold personal details."""

    contact_id: str
    person_id: str
    method: str  # home_visit, phone, video, wechat, sms, meeting, group_activity, medical_round
    contacted_on: str
    staff: str  # the staff member's account (sub)
    needs_follow_up: bool
    occasion: str | None
    campaign_id: str | None
    group_id: str | None  # one entry for many people (a meeting, a group activity) shares this id


class ContactRecorded(PublicEvent):
    """A staff member contacted or visited a person."""

    type: Literal["ContactRecorded"]
    data: ContactRecordedData


EVENTS: tuple[type[PublicEvent], ...] = (ContactRecorded,)
