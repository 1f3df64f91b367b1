"""The deadline table of the request ledger (办理时限): days to resolve a request by category and grade, and the
days the level above gives an escalated one (督办期限), kept as versioned configuration officers change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from outreach.domain.requests import RequestCategory, RequestGrade
from vet_common.domain import Actor, Conflict, Invalid, derived_id


class SameDeadlineTable(Conflict):
    def __init__(self) -> None:
        super().__init__("新的办理时限与现行时限相同，无需修改 (the table is the same as the one in force)")


# Days to resolve a request, by category and grade, counted from registration (or reopening). Defaults: a
# petition has 60 days as the petition regulations give (信访工作条例); an urgent need of health or livelihood 3.
DEFAULT_DEADLINE_DAYS: dict[str, dict[str, int]] = {
    RequestCategory.medical: {"ordinary": 15, "urgent": 3, "major": 7},
    RequestCategory.housing: {"ordinary": 30, "urgent": 7, "major": 15},
    RequestCategory.employment: {"ordinary": 30, "urgent": 10, "major": 20},
    RequestCategory.education: {"ordinary": 30, "urgent": 7, "major": 15},
    RequestCategory.living_difficulty: {"ordinary": 15, "urgent": 3, "major": 7},
    RequestCategory.policy_question: {"ordinary": 7, "urgent": 3, "major": 5},
    RequestCategory.petition: {"ordinary": 60, "urgent": 15, "major": 30},
    RequestCategory.other: {"ordinary": 30, "urgent": 7, "major": 15},
}
# Days the level above gives an escalated request before it escalates again (督办期限), by grade.
DEFAULT_SUPERVISION_DAYS: dict[str, int] = {"ordinary": 7, "urgent": 3, "major": 5}
MAX_DAYS = 365


@dataclass(frozen=True)
class DeadlineTable:
    """The deadline table in force: its version (0 = the defaults above, never changed) goes into every request."""

    days: dict[str, dict[str, int]] = field(default_factory=lambda: DEFAULT_DEADLINE_DAYS)
    supervision_days: dict[str, int] = field(default_factory=lambda: DEFAULT_SUPERVISION_DAYS)
    version: int = 0

    def deadline(self, category: str, grade: str, counted_from: date) -> date:
        return counted_from + timedelta(days=self.days[category][grade])

    def supervision_period(self, grade: str) -> int:
        return self.supervision_days[grade]


def checked_table(days: dict[str, dict[str, int]], supervision_days: dict[str, int]) -> None:
    """Invalid (naming the entry) unless every category has every grade and every period is 1..365 days."""
    for category in RequestCategory:
        for grade in RequestGrade:
            _check_days(days.get(category, {}).get(grade), f"days.{category}.{grade}")
    for grade in RequestGrade:
        _check_days(supervision_days.get(grade), f"supervision_days.{grade}")
    strangers = set(days) - set(RequestCategory) | {g for row in days.values() for g in row} - set(RequestGrade)
    if strangers:
        raise Invalid("days", f"未知的类别或等级：{', '.join(sorted(strangers))} (unknown category or grade)")


def _check_days(value: Any, where: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DAYS:
        raise Invalid(where, f"应为 1 到 {MAX_DAYS} 之间的天数 (must be a number of days from 1 to {MAX_DAYS})")


class DeadlineRules(Aggregate):
    """The deadline table as officers set it (versioned configuration): one for the whole platform."""

    @staticmethod
    def create_id() -> UUID:
        return derived_id("request-deadline-table", "platform")

    class Set(Aggregate.Created):
        days: dict[str, dict[str, int]]
        supervision_days: dict[str, int]
        reason: str
        actor: Actor

    class Changed(Aggregate.Event):
        days: dict[str, dict[str, int]]
        supervision_days: dict[str, int]
        reason: str
        actor: Actor

    @event(Set)
    def __init__(
        self, *, days: dict[str, dict[str, int]], supervision_days: dict[str, int], reason: str, actor: Actor
    ) -> None:
        self._take(days, supervision_days, reason, actor)

    def change(
        self, days: dict[str, dict[str, int]], supervision_days: dict[str, int], reason: str, actor: Actor
    ) -> None:
        if days == self.days and supervision_days == self.supervision_days:
            raise SameDeadlineTable()
        self._changed(days=days, supervision_days=supervision_days, reason=reason, actor=actor)

    @event(Changed)
    def _changed(
        self, *, days: dict[str, dict[str, int]], supervision_days: dict[str, int], reason: str, actor: Actor
    ) -> None:
        self._take(days, supervision_days, reason, actor)

    def _take(
        self, days: dict[str, dict[str, int]], supervision_days: dict[str, int], reason: str, actor: Actor
    ) -> None:
        self.days = days
        self.supervision_days = supervision_days
        self.reason = reason
        self.changed_by = actor

    @property
    def table(self) -> DeadlineTable:
        return DeadlineTable(self.days, self.supervision_days, self.version)
