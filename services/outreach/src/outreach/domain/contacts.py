"""Contacts and visits with one person (常态化联系, 走访慰问): what was recorded, corrected or withdrawn."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor


class ContactMethod(StrEnum):
    home_visit = "home_visit"  # 上门走访
    phone = "phone"  # 电话
    video = "video"  # 视频
    wechat = "wechat"  # 微信
    sms = "sms"  # 短信
    meeting = "meeting"  # 座谈会
    group_activity = "group_activity"  # 集中活动
    medical_round = "medical_round"  # 医疗巡诊

    @property
    def is_home_visit(self) -> bool:
        """Only a visit at home satisfies the yearly home-visit rule."""
        return self is ContactMethod.home_visit

    @property
    def is_remote(self) -> bool:
        """People living elsewhere are reached this way: it counts as contact, not as a visit."""
        return self in REMOTE_METHODS


REMOTE_METHODS = frozenset({ContactMethod.phone, ContactMethod.video, ContactMethod.wechat, ContactMethod.sms})
# One entry may name many people at once (a meeting, a group activity, a medical round).
GROUP_METHODS = frozenset({ContactMethod.meeting, ContactMethod.group_activity, ContactMethod.medical_round})


class Contact(Aggregate):
    """One contact with one person, as the staff member recorded it. A group entry records one Contact per person,
    sharing `group_id`. A mistaken record is corrected or withdrawn with a reason, never edited in place."""

    class Recorded(Aggregate.Created):
        person_id: str
        region: str
        method: str
        contacted_on: date
        staff: str  # the staff member who made the contact (their sub), not necessarily who typed it in
        findings: str
        needs_follow_up: bool
        occasion: str | None
        campaign_id: str | None
        group_id: str | None
        actor: Actor

    @event(Recorded)
    def __init__(
        self,
        *,
        person_id: str,
        region: str,
        method: str,
        contacted_on: date,
        staff: str,
        findings: str,
        needs_follow_up: bool,
        occasion: str | None,
        campaign_id: str | None,
        group_id: str | None,
        actor: Actor,
    ) -> None:
        self.person_id = person_id
        self.region = region
        self.method = method
        self.contacted_on = contacted_on
        self.staff = staff
        self.findings = findings
        self.needs_follow_up = needs_follow_up
        self.occasion = occasion
        self.campaign_id = campaign_id
        self.group_id = group_id
        self.recorded_by = actor
