"""Reporting domain: report approval (报表审核, the DHIS2 habit). The audit archive's events are in archive.py.

A county submits a period's figures, the city approves or returns them. Approved figures are locked: events
arriving later show as corrections beside them, never silently."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor, Conflict, derived_id
from vet_common.jurisdiction import region_keys


class NotSubmitted(Conflict):
    """Only a submitted report can be approved or returned."""


class AlreadyApproved(Conflict):
    """An approved report is locked."""


def report_id(topic: str, region: str, period: str) -> UUID:
    return derived_id("report", topic, region, period)


class ReportApproval(Aggregate):
    """One county's report of one topic and period, and where it stands: submitted, returned or approved."""

    @staticmethod
    def create_id(topic: str, region: str, period: str, **_: Any) -> UUID:
        return report_id(topic, region, period)

    class Event(Aggregate.Event):
        def read_model_fields(self) -> dict[str, Any]:
            return {}

    class Submitted(Event, Aggregate.Created):
        topic: str
        region: str
        period: str
        figures: dict[str, Any]
        actor: Actor

        def read_model_fields(self) -> dict[str, Any]:
            return {
                "topic": self.topic,
                "region": self.region,
                "period": self.period,
                "jurisdictions": region_keys(self.region),
                "status": "submitted",
                "figures": self.figures,
                "submitted_by": self.actor.sub,
                "submitted_at": self.timestamp,
                "reason": None,
            }

    class Resubmitted(Event):
        figures: dict[str, Any]
        actor: Actor

        def read_model_fields(self) -> dict[str, Any]:
            return {"status": "submitted", "figures": self.figures, "submitted_by": self.actor.sub, "reason": None}

    class Approved(Event):
        actor: Actor

        def read_model_fields(self) -> dict[str, Any]:
            return {"status": "approved", "decided_by": self.actor.sub, "decided_at": self.timestamp}

    class Returned(Event):
        actor: Actor
        reason: str

        def read_model_fields(self) -> dict[str, Any]:
            return {
                "status": "returned",
                "decided_by": self.actor.sub,
                "decided_at": self.timestamp,
                "reason": self.reason,
            }

    @event(Submitted)
    def __init__(self, *, topic: str, region: str, period: str, figures: dict[str, Any], actor: Actor) -> None:
        self.topic, self.region, self.period = topic, region, period
        self.figures = figures
        self.status = "submitted"

    def resubmit(self, figures: dict[str, Any], actor: Actor) -> None:
        if self.status == "approved":
            raise AlreadyApproved("该期报表已审核通过，已锁定 (this period's report is approved and locked)")
        if self.status == "submitted":
            raise Conflict("该期报表已上报，等待审核 (this period's report is already submitted, awaiting review)")
        self._resubmit(figures=figures, actor=actor)

    @event(Resubmitted)
    def _resubmit(self, *, figures: dict[str, Any], actor: Actor) -> None:
        self.figures = figures
        self.status = "submitted"

    def approve(self, actor: Actor) -> None:
        self._ensure_submitted()
        self._approve(actor=actor)

    @event(Approved)
    def _approve(self, *, actor: Actor) -> None:
        self.status = "approved"

    def return_(self, actor: Actor, reason: str) -> None:
        self._ensure_submitted()
        self._return(actor=actor, reason=reason)

    @event(Returned)
    def _return(self, *, actor: Actor, reason: str) -> None:
        self.status = "returned"

    def _ensure_submitted(self) -> None:
        if self.status == "approved":
            raise AlreadyApproved("该期报表已审核通过，已锁定 (this period's report is approved and locked)")
        if self.status != "submitted":
            raise NotSubmitted("该期报表未上报或已退回 (this report is not awaiting review: submit it first)")
