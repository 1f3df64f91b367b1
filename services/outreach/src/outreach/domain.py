"""Outreach domain: contacts and visits with the people who need them most (常态化联系, 走访慰问)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor
from vet_common.people import PersonReplica

# The registry's people, as outreach knows them from vet.registry.v1, are kept in this store too.
__all__ = ["ContactMethod", "PersonReplica", "Visit"]


class ContactMethod(StrEnum):
    home_visit = "home_visit"  # 上门走访
    phone = "phone"  # 电话
    video = "video"  # 视频
    wechat = "wechat"  # 微信
    sms = "sms"  # 短信
    meeting = "meeting"  # 座谈会
    group_activity = "group_activity"  # 集中活动
    medical_round = "medical_round"  # 医疗巡诊


class Visit(Aggregate):
    """One contact or visit with a person, as the staff member recorded it."""

    class Recorded(Aggregate.Created):
        person_id: str
        region: str
        method: str
        visited_on: date
        notes: str
        actor: Actor

    @event(Recorded)
    def __init__(
        self,
        *,
        person_id: str,
        region: str,
        method: str,
        visited_on: date,
        notes: str,
        actor: Actor,
    ) -> None:
        self.person_id = person_id
        self.region = region
        self.method = method
        self.visited_on = visited_on
        self.notes = notes
        self.recorded_by = actor
