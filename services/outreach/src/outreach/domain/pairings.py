"""Pairings (结对子): a staff member paired with a key contact, one-to-one or one-to-many, until ended."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor, Conflict


class EndReason(StrEnum):
    """Why a pairing ended: codes, so the public event carries no free text."""

    reassigned = "reassigned"  # 改派
    transferred = "transferred"  # 迁出本辖区
    deceased = "deceased"  # 去世
    staff_left = "staff_left"  # 工作人员调离
    no_longer_key_contact = "no_longer_key_contact"  # 不再是重点联系对象
    other = "other"


class PairingEnded(Conflict):
    def __init__(self) -> None:
        super().__init__("该结对已结束 (this pairing has already ended)")


class Pairing(Aggregate):
    """One staff member and one person. A staff member with many people has one pairing with each."""

    class Started(Aggregate.Created):
        person_id: str
        region: str
        staff: str
        started_on: date
        actor: Actor

    class Ended(Aggregate.Event):
        person_id: str
        region: str
        reason: str
        ended_on: date
        # For a transfer: the receiving region, whose staff are asked to pair the person anew.
        proposed_to: str | None
        actor: Actor

    @event(Started)
    def __init__(self, *, person_id: str, region: str, staff: str, started_on: date, actor: Actor) -> None:
        self.person_id = person_id
        self.region = region
        self.staff = staff
        self.started_on = started_on
        self.started_by = actor
        self.ended_on: date | None = None
        self.end_reason: str | None = None

    @property
    def open(self) -> bool:
        return self.ended_on is None

    def end(self, reason: EndReason, ended_on: date, actor: Actor, proposed_to: str | None = None) -> None:
        if not self.open:
            raise PairingEnded()
        self._ended(
            person_id=self.person_id,
            region=self.region,
            reason=reason.value,
            ended_on=ended_on,
            proposed_to=proposed_to,
            actor=actor,
        )

    @event(Ended)
    def _ended(
        self, *, person_id: str, region: str, reason: str, ended_on: date, proposed_to: str | None, actor: Actor
    ) -> None:
        self.ended_on = ended_on
        self.end_reason = reason
