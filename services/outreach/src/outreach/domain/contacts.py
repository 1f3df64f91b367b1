"""Contacts and visits with one person (常态化联系, 走访慰问): what was recorded, corrected or withdrawn."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor, Conflict


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

    @property
    def is_group(self) -> bool:
        return self in GROUP_METHODS


REMOTE_METHODS = frozenset({ContactMethod.phone, ContactMethod.video, ContactMethod.wechat, ContactMethod.sms})
# One entry may name many people at once (a meeting, a group activity, a medical round).
GROUP_METHODS = frozenset({ContactMethod.meeting, ContactMethod.group_activity, ContactMethod.medical_round})
# What a correction may change; who the contact was with (and so its region) never changes: withdraw instead.
CORRECTABLE = ("method", "contacted_on", "staff", "findings", "needs_follow_up", "occasion")


class ContactWithdrawn(Conflict):
    def __init__(self) -> None:
        super().__init__("该联系记录已撤销，不能再更正或撤销 (this contact was withdrawn: it cannot be changed again)")


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

        self.withdrawn = False
        self.withdrawal_reason: str | None = None
        self.corrections: list[dict[str, object]] = []  # what each correction changed, and why

    class Corrected(Aggregate.Event):
        """A mistake put right: `changes` holds the new values only; the old ones stay in the events before."""

        changes: dict[str, object]
        reason: str
        actor: Actor

    class Withdrawn(Aggregate.Event):
        reason: str
        actor: Actor

    @property
    def counts(self) -> bool:
        """Whether it counts toward the contact rules (a withdrawn record never does)."""
        return not self.withdrawn

    def ensure_open(self) -> None:
        if self.withdrawn:
            raise ContactWithdrawn()

    def correct(self, changes: dict[str, object], reason: str, actor: Actor) -> None:
        self.ensure_open()
        self._corrected(changes=changes, reason=reason, actor=actor)

    @event(Corrected)
    def _corrected(self, *, changes: dict[str, object], reason: str, actor: Actor) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        self.corrections.append({"changes": dict(changes), "reason": reason, "by": actor.sub})

    def withdraw(self, reason: str, actor: Actor) -> None:
        self.ensure_open()
        self._withdrawn(reason=reason, actor=actor)

    @event(Withdrawn)
    def _withdrawn(self, *, reason: str, actor: Actor) -> None:
        self.withdrawn = True
        self.withdrawal_reason = reason
