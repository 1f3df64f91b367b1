"""Contact rules (联系规则): how often a key contact must be contacted and visited at home, per region and reason.

The rules are one versioned configuration: an officer replaces the table as a whole, and each version stays in
the event history. Which rule applies to a person, and when their next contact and home visit fall due, are
pure functions here, table-tested, and used by the read model that lists who is due or overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from vet_common.auth import Principal
from vet_common.domain import Actor, Invalid, Refused, derived_id

QUARTER = 90
YEAR = 365
# Disability levels 1-6 get closer attention (DOMAIN.md); how much closer is part of the configuration.
SEVERE_DISABILITY_LEVELS = range(1, 7)


@dataclass(frozen=True)
class Interval:
    """At most `contact_days` between two contacts of any kind, `home_visit_days` between two home visits."""

    contact_days: int
    home_visit_days: int

    def tighter(self, other: Interval) -> Interval:
        return Interval(min(self.contact_days, other.contact_days), min(self.home_visit_days, other.home_visit_days))


@dataclass(frozen=True)
class RuleEntry:
    """One line of the table: for people in `region` (a prefix; "" everywhere) with `reason` (None: any)."""

    region: str
    reason: str | None
    interval: Interval

    def applies(self, region: str, reasons: list[str]) -> bool:
        return region.startswith(self.region) and (self.reason is None or self.reason in reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "reason": self.reason,
            "contact_days": self.interval.contact_days,
            "home_visit_days": self.interval.home_visit_days,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleEntry:
        return cls(data["region"], data["reason"], Interval(data["contact_days"], data["home_visit_days"]))


DEFAULT_ENTRIES = (RuleEntry("", None, Interval(QUARTER, YEAR)),)
DEFAULT_SEVERE_DISABILITY = Interval(30, 180)


@dataclass(frozen=True)
class RuleTable:
    version: int
    entries: tuple[RuleEntry, ...] = DEFAULT_ENTRIES
    severe_disability: Interval | None = DEFAULT_SEVERE_DISABILITY

    def interval_for(self, region: str, reasons: list[str], disability_level: int | None) -> Interval:
        """For each of the person's reasons the most specific line (longest region; a line naming the reason
        before a line for any reason), then the tightest of those; levels 1-6 tighten it further."""
        best: Interval | None = None
        for reason in reasons or [""]:
            candidates = [e for e in self.entries if e.applies(region, [reason] if reason else [])]
            if not candidates:
                continue
            chosen = max(candidates, key=lambda e: (len(e.region), e.reason is not None)).interval
            best = chosen if best is None else best.tighter(chosen)
        interval = best or DEFAULT_ENTRIES[0].interval
        if self.severe_disability and disability_level in SEVERE_DISABILITY_LEVELS:
            interval = interval.tighter(self.severe_disability)
        return interval

    @classmethod
    def from_state(cls, version: int, entries: list[dict[str, Any]], severe: dict[str, int] | None) -> RuleTable:
        return cls(
            version,
            tuple(RuleEntry.from_dict(e) for e in entries),
            Interval(severe["contact_days"], severe["home_visit_days"]) if severe else None,
        )


DEFAULT_TABLE = RuleTable(version=0)


@dataclass(frozen=True)
class DueDates:
    contact: date
    home_visit: date

    @property
    def next(self) -> date:
        return min(self.contact, self.home_visit)

    def days_overdue(self, today: date) -> int:
        return max(0, (today - self.next).days)


def due_dates(interval: Interval, since: date, last_contact: date | None, last_home_visit: date | None) -> DueDates:
    """When the next contact and home visit fall due: counted from the last one, or from when the person
    became a key contact (`since`) if there was none since then. A home visit is a contact too."""
    contact_from = max(d for d in (since, last_contact, last_home_visit) if d is not None)
    visit_from = max(d for d in (since, last_home_visit) if d is not None)
    return DueDates(
        contact_from + timedelta(days=interval.contact_days),
        visit_from + timedelta(days=interval.home_visit_days),
    )


PROVINCE = 2  # digits of a province's code: the lines for everywhere ("") and the disability setting are its


def ensure_changes_within(
    principal: Principal, current: RuleTable, entries: list[RuleEntry], severe_disability: Interval | None
) -> None:
    """Refused (403) when the new table adds, removes or changes a line for a region outside the caller's
    jurisdiction: a county officer sets its county's lines and sends the others back as they were. The lines
    for everywhere and the tighter setting for disability levels 1-6 are the province's."""
    before = {(e.region, e.reason): e.interval for e in current.entries}
    after = {(e.region, e.reason): e.interval for e in entries}
    changed = {
        region
        for region, reason in before.keys() | after.keys()
        if before.get((region, reason)) != after.get((region, reason))
    }
    if severe_disability != current.severe_disability:
        changed.add("")
    outside = sorted(region or "全部地区" for region in changed if not _may_set(principal, region))
    if outside:
        raise Refused(
            f"不能修改本辖区（{principal.region}）以外的联系规则：{'、'.join(outside)}；请原样保留这些行 "
            f"(you cannot change the rules of {', '.join(outside)}: send those lines back as they were)"
        )


def _may_set(principal: Principal, region: str) -> bool:
    return len(principal.region) <= PROVINCE if not region else principal.can_see(region)


def validate_entries(entries: list[RuleEntry]) -> None:
    """Invalid (422, field `entries`) for two lines about the same region and reason."""
    seen: set[tuple[str, str | None]] = set()
    for entry in entries:
        key = (entry.region, entry.reason)
        if key in seen:
            raise Invalid(
                "entries",
                f"规则重复：地区 {entry.region or '全部'}、原因 {entry.reason or '全部'} 出现了两次 "
                f"(two lines for region {entry.region or 'all'} and reason {entry.reason or 'any'}: keep one)",
            )
        seen.add(key)
        if entry.interval.home_visit_days < entry.interval.contact_days:
            raise Invalid(
                "entries",
                "上门走访间隔不能短于联系间隔 (the home-visit interval cannot be shorter than the contact interval: "
                "a home visit is a contact too)",
            )


class ContactRules(Aggregate):
    """The one table of contact rules in force; its version is the aggregate's version."""

    @staticmethod
    def create_id() -> UUID:
        return derived_id("contact-rules", "all")

    class Configured(Aggregate.Created):
        entries: list[dict[str, Any]]
        severe_disability: dict[str, int] | None
        reason: str
        actor: Actor

    class Changed(Aggregate.Event):
        entries: list[dict[str, Any]]
        severe_disability: dict[str, int] | None
        reason: str
        actor: Actor

    @event(Configured)
    def __init__(
        self, *, entries: list[dict[str, Any]], severe_disability: dict[str, int] | None, reason: str, actor: Actor
    ) -> None:
        self._set(entries, severe_disability, actor)

    @event(Changed)
    def change(
        self, *, entries: list[dict[str, Any]], severe_disability: dict[str, int] | None, reason: str, actor: Actor
    ) -> None:
        self._set(entries, severe_disability, actor)

    def _set(self, entries: list[dict[str, Any]], severe: dict[str, int] | None, actor: Actor) -> None:
        self.entries = entries
        self.severe_disability = severe
        self.changed_by = actor

    @property
    def table(self) -> RuleTable:
        return RuleTable.from_state(self.version, self.entries, self.severe_disability)
