"""A county's summary table of a campaign (情况汇总表), reported to the level above, which approves or returns it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor, Conflict, Invalid, derived_id

SUBMITTED = "submitted"  # 已报送, awaiting the level above
APPROVED = "approved"  # 已审核
RETURNED = "returned"  # 已退回, to be corrected and resubmitted
MISSING = "missing"  # 未报送 (read side only: no table yet)


@dataclass(frozen=True, kw_only=True)
class SummaryFigures:
    """The table's figures: people visited per target group, money and goods handed out (fen), problems found
    and solved."""

    visited_by_group: Mapping[str, int]
    money_fen: int
    goods_fen: int
    problems_found: int
    problems_solved: int

    def check(self, group_codes: Sequence[str]) -> None:
        unknown = sorted(set(self.visited_by_group) - set(group_codes))
        if unknown:
            raise Invalid(
                "visited_by_group",
                f"本次活动没有对象组 {', '.join(unknown)}；可填 {', '.join(group_codes)} "
                f"(this campaign has no group {', '.join(unknown)}; its groups are {', '.join(group_codes)})",
            )
        if self.problems_solved > self.problems_found:
            raise Invalid(
                "problems_solved",
                f"解决问题数 {self.problems_solved} 不能多于发现问题数 {self.problems_found} "
                "(problems solved cannot exceed problems found)",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "visited_by_group": dict(self.visited_by_group),
            "money_fen": self.money_fen,
            "goods_fen": self.goods_fen,
            "problems_found": self.problems_found,
            "problems_solved": self.problems_solved,
        }


class NotAwaitingResubmission(Conflict):
    def __init__(self, status: str) -> None:
        what = "已审核通过" if status == APPROVED else "已报送，等待上级审核"
        super().__init__(
            f"该县汇总表{what}，只有被退回的汇总表可以重新报送 (this table is {status}: only a returned table "
            "can be resubmitted)"
        )


class NotAwaitingReview(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(
            f"该汇总表当前状态为 {status}，不是待审核 (this table is {status}, not awaiting review)", status=status
        )


class CountySummary(Aggregate):
    """One county's table for one campaign. `late` says it was submitted after the report deadline."""

    @staticmethod
    def create_id(campaign_id: UUID | str, county: str) -> UUID:
        return derived_id("campaign-summary", campaign_id, county)

    class Submitted(Aggregate.Created):
        campaign_id: str
        county: str
        figures: dict[str, Any]
        submitted_on: date
        late: bool
        actor: Actor

    class Resubmitted(Aggregate.Event):
        figures: dict[str, Any]
        submitted_on: date
        late: bool
        actor: Actor

    class Approved(Aggregate.Event):
        approved_on: date
        actor: Actor

    class Returned(Aggregate.Event):
        reason: str  # what to correct: stays in outreach
        returned_on: date
        actor: Actor

    @event(Submitted)
    def __init__(
        self, *, campaign_id: str, county: str, figures: dict[str, Any], submitted_on: date, late: bool, actor: Actor
    ) -> None:
        self.campaign_id = campaign_id
        self.county = county
        self.reason: str | None = None
        self._take(figures, submitted_on, late)

    @classmethod
    def submit(
        cls, campaign_id: UUID, county: str, figures: SummaryFigures, today: date, report_due: date, actor: Actor
    ) -> CountySummary:
        return cls(
            campaign_id=str(campaign_id),
            county=county,
            figures=figures.to_dict(),
            submitted_on=today,
            late=today > report_due,
            actor=actor,
        )

    def resubmit(self, figures: SummaryFigures, today: date, report_due: date, actor: Actor) -> None:
        if self.status != RETURNED:
            raise NotAwaitingResubmission(self.status)
        self._resubmitted(figures=figures.to_dict(), submitted_on=today, late=today > report_due, actor=actor)

    @event(Resubmitted)
    def _resubmitted(self, *, figures: dict[str, Any], submitted_on: date, late: bool, actor: Actor) -> None:
        self._take(figures, submitted_on, late)

    def _take(self, figures: dict[str, Any], submitted_on: date, late: bool) -> None:
        self.figures = figures
        self.submitted_on = submitted_on
        self.late = late
        self.status = SUBMITTED

    def approve(self, today: date, actor: Actor) -> None:
        if self.status != SUBMITTED:
            raise NotAwaitingReview(self.status)
        self._approved(approved_on=today, actor=actor)

    @event(Approved)
    def _approved(self, *, approved_on: date, actor: Actor) -> None:
        self.status = APPROVED

    def return_for_correction(self, reason: str, today: date, actor: Actor) -> None:
        if self.status != SUBMITTED:
            raise NotAwaitingReview(self.status)
        self._returned(reason=reason, returned_on=today, actor=actor)

    @event(Returned)
    def _returned(self, *, reason: str, returned_on: date, actor: Actor) -> None:
        self.status = RETURNED
        self.reason = reason
