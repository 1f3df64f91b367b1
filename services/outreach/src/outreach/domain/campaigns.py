"""Visit drives (走访慰问活动), e.g. the 八一 drive: who is to be visited, by when, and each county's summary table.

A campaign is planned with a target rule and three deadlines, then launched: launching freezes its target list
(one `CampaignTarget` per person, so later registrations do not join it). A campaign's visits are Contacts naming
the campaign; each one marks its target reached in person or remotely. Each county reports a summary table
(情况汇总表) by the report deadline, which the level above approves or returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from vet_common.domain import Actor, Conflict, Invalid, derived_id
from vet_contracts.registry import CATEGORIES, KEY_CONTACT_REASONS

HOUSEHOLDS = ("rural", "urban")  # 农村, 城镇: the registry's household codes
DISABILITY_LEVELS = range(1, 11)  # 伤残等级 一级 to 十级
GROUP_CODE_LENGTH = 40

# A target's reach: visited at home or in person, reached by phone/video/WeChat/SMS only, or not yet; a target
# who died before being reached is no longer one to visit (counted apart, off the list of those not reached).
IN_PERSON = "in_person"
REMOTE = "remote"
NOT_REACHED = "not_reached"
DECEASED = "deceased"
MOVED_AWAY = "moved_away"


# The target rule ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TargetGroup:
    """One group of a campaign's targets (e.g. 下岗失业人员, 80岁以上高龄老人).

    A person belongs to the group when they match every dimension the group names (all-of across dimensions),
    and within a dimension any one of its values (any-of). Age is counted in years reached in the year of
    `age_on` (the replica knows the birth year, never the birth date).
    """

    code: str
    categories: tuple[str, ...] = ()
    key_contact_reasons: tuple[str, ...] = ()
    disability_levels: tuple[int, ...] = ()
    households: tuple[str, ...] = ()
    min_age: int | None = None
    age_on: date | None = None

    def __post_init__(self) -> None:
        where = f"targets.groups[{self.code}]"
        if not self.code or len(self.code) > GROUP_CODE_LENGTH or not self.code.replace("_", "").isalnum():
            raise Invalid(
                "targets.groups.code",
                f"对象组代码应为 1–{GROUP_CODE_LENGTH} 位字母、数字或下划线，如 unemployed "
                f"(a group code is 1-{GROUP_CODE_LENGTH} letters, digits or underscores, e.g. unemployed)",
            )
        _known(f"{where}.categories", self.categories, CATEGORIES, "人员类别 (category)")
        _known(f"{where}.key_contact_reasons", self.key_contact_reasons, KEY_CONTACT_REASONS, "重点对象类型 (reason)")
        _known(f"{where}.households", self.households, HOUSEHOLDS, "户籍性质 (household)")
        _known(f"{where}.disability_levels", self.disability_levels, DISABILITY_LEVELS, "伤残等级 (disability level)")
        if self.min_age is not None and not 0 < self.min_age < 130:
            raise Invalid(f"{where}.min_age", "年龄应在 1–129 岁之间 (min_age must be between 1 and 129)")
        if (self.min_age is None) != (self.age_on is None):
            raise Invalid(f"{where}.age_on", "年龄条件需同时给出年龄和计算日期 (min_age needs age_on, and back)")
        if not (self.categories or self.key_contact_reasons or self.disability_levels or self.households) and (
            self.min_age is None
        ):
            raise Invalid(where, f"对象组 {self.code} 没有任何条件 (group {self.code} names no condition)")

    @property
    def born_by(self) -> int | None:
        """The latest birth year of someone old enough."""
        if self.min_age is None or self.age_on is None:
            return None
        return self.age_on.year - self.min_age

    def matches(self, person: Mapping[str, Any]) -> bool:
        """Whether a person of the people read model (or replica facts) is in the group."""
        born_by = self.born_by
        return (
            _any(self.categories, person.get("categories") or ())
            and _any(self.key_contact_reasons, person.get("key_contact_reasons") or ())
            and (not self.disability_levels or person.get("disability_level") in self.disability_levels)
            and (not self.households or person.get("household") in self.households)
            and (born_by is None or int(person.get("birth_year") or 0) <= born_by)
        )

    def query(self) -> dict[str, Any]:
        """The same condition as a filter on the people read model."""
        conditions: dict[str, Any] = {}
        if self.categories:
            conditions["categories"] = {"$in": list(self.categories)}
        if self.key_contact_reasons:
            conditions["key_contact_reasons"] = {"$in": list(self.key_contact_reasons)}
        if self.disability_levels:
            conditions["disability_level"] = {"$in": list(self.disability_levels)}
        if self.households:
            conditions["household"] = {"$in": list(self.households)}
        if self.born_by is not None:
            conditions["birth_year"] = {"$lte": self.born_by}
        return conditions

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "categories": list(self.categories),
            "key_contact_reasons": list(self.key_contact_reasons),
            "disability_levels": list(self.disability_levels),
            "households": list(self.households),
            "min_age": self.min_age,
            "age_on": self.age_on.isoformat() if self.age_on else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetGroup:
        return cls(
            code=data["code"],
            categories=tuple(data.get("categories") or ()),
            key_contact_reasons=tuple(data.get("key_contact_reasons") or ()),
            disability_levels=tuple(data.get("disability_levels") or ()),
            households=tuple(data.get("households") or ()),
            min_age=data.get("min_age"),
            age_on=date.fromisoformat(data["age_on"]) if data.get("age_on") else None,
        )


@dataclass(frozen=True)
class TargetRule:
    """Who a campaign visits: everyone in any of its groups (the Lishui rule is four groups' union)."""

    groups: tuple[TargetGroup, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.groups:
            raise Invalid("targets.groups", "至少需要一个走访对象组 (name at least one target group)")
        codes = [group.code for group in self.groups]
        if len(set(codes)) != len(codes):
            raise Invalid("targets.groups", "对象组代码不能重复 (each group code may appear once)")

    @property
    def codes(self) -> list[str]:
        return [group.code for group in self.groups]

    def groups_of(self, person: Mapping[str, Any]) -> list[str]:
        """The codes of the groups a person is in (empty: not a target)."""
        return [group.code for group in self.groups if group.matches(person)]

    def query(self) -> dict[str, Any]:
        return {"$or": [group.query() for group in self.groups]}

    def to_dict(self) -> dict[str, Any]:
        return {"groups": [group.to_dict() for group in self.groups]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetRule:
        return cls(tuple(TargetGroup.from_dict(group) for group in data["groups"]))


def _known(where: str, values: Sequence[Any], known: Sequence[Any], what: str) -> None:
    unknown = [value for value in values if value not in known]
    if unknown:
        raise Invalid(
            where, f"未知的{what}: {', '.join(map(str, unknown))}; 可选 (choose from) {', '.join(map(str, known))}"
        )


def _any(wanted: Sequence[str], has: Sequence[str]) -> bool:
    return not wanted or any(value in has for value in wanted)


# Deadlines -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Deadlines:
    """方案制定 plan due, 走访完成 visits due, 汇总表报送 report due (Lishui 2022: 23 July, 1 August, 2 August)."""

    plan: date
    visits: date
    report: date

    def __post_init__(self) -> None:
        if self.visits < self.plan:
            raise Invalid("deadlines.visits", "走访完成日期不能早于方案制定日期 (visits are due after the plan)")
        if self.report < self.visits:
            raise Invalid("deadlines.report", "汇总表报送日期不能早于走访完成日期 (the report is due after the visits)")


# The campaign --------------------------------------------------------------------------------------------------

PLANNED = "planned"
LAUNCHED = "launched"


class CampaignNotPlanned(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "该活动已启动，走访对象名单已冻结 (this campaign was launched already: its target list is frozen)"
        )


class VisitsOver(Conflict):
    def __init__(self, visits_due: date) -> None:
        super().__init__(
            f"走访截止日期 {visits_due.isoformat()} 已过，不能再启动 (the visits were due by {visits_due.isoformat()})"
        )


class Campaign(Aggregate):
    """A visit drive organised by one region for everyone of its targets living there."""

    class Planned(Aggregate.Created):
        name: str
        occasion: str
        region: str
        rule: dict[str, Any]
        plan_due: date
        visits_due: date
        report_due: date
        actor: Actor

    class Launched(Aggregate.Event):
        launched_on: date
        actor: Actor

    class TargetListFrozen(Aggregate.Event):
        """Every target is saved: the counts, never the people."""

        targets: int
        by_group: dict[str, int]
        by_county: dict[str, int]

    @event(Planned)
    def __init__(
        self,
        *,
        name: str,
        occasion: str,
        region: str,
        rule: dict[str, Any],
        plan_due: date,
        visits_due: date,
        report_due: date,
        actor: Actor,
    ) -> None:
        self.name = name
        self.occasion = occasion
        self.region = region
        self.rule_data = rule
        self.plan_due = plan_due
        self.visits_due = visits_due
        self.report_due = report_due
        self.planned_by = actor
        self.status = PLANNED
        self.launched_on: date | None = None
        self.frozen = False
        self.targets = 0
        self.by_group: dict[str, int] = {}
        self.by_county: dict[str, int] = {}

    @classmethod
    def plan(
        cls, *, name: str, occasion: str, region: str, rule: TargetRule, deadlines: Deadlines, actor: Actor
    ) -> Campaign:
        return cls(
            name=name,
            occasion=occasion,
            region=region,
            rule=rule.to_dict(),
            plan_due=deadlines.plan,
            visits_due=deadlines.visits,
            report_due=deadlines.report,
            actor=actor,
        )

    @property
    def rule(self) -> TargetRule:
        return TargetRule.from_dict(self.rule_data)

    @property
    def deadlines(self) -> Deadlines:
        return Deadlines(plan=self.plan_due, visits=self.visits_due, report=self.report_due)

    def ensure_launchable(self, today: date) -> None:
        """A planned campaign, or one whose launch stopped before its list was complete (it resumes)."""
        if self.frozen:
            raise CampaignNotPlanned()
        if today > self.visits_due:
            raise VisitsOver(self.visits_due)

    def launch(self, today: date, actor: Actor) -> None:
        if self.status == PLANNED:
            self._launched(launched_on=today, actor=actor)

    @event(Launched)
    def _launched(self, *, launched_on: date, actor: Actor) -> None:
        self.status = LAUNCHED
        self.launched_on = launched_on

    def freeze(self, targets: Sequence[Target]) -> None:
        by_group: dict[str, int] = {}
        by_county: dict[str, int] = {}
        for target in targets:
            for code in target.groups:
                by_group[code] = by_group.get(code, 0) + 1
            by_county[target.region[:6]] = by_county.get(target.region[:6], 0) + 1
        self._frozen(targets=len(targets), by_group=by_group, by_county=by_county)

    @event(TargetListFrozen)
    def _frozen(self, *, targets: int, by_group: dict[str, int], by_county: dict[str, int]) -> None:
        self.frozen = True
        self.targets = targets
        self.by_group = by_group
        self.by_county = by_county

    def covers(self, region: str) -> bool:
        """The campaign is for people living in its region."""
        return region.startswith(self.region)


# Targets -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A person chosen at launch: where they live and which of the campaign's groups they are in."""

    person_id: str
    region: str
    groups: tuple[str, ...]


class CampaignTarget(Aggregate):
    """One person on a campaign's frozen list, and how the campaign's visits reached them."""

    @staticmethod
    def create_id(campaign_id: UUID | str, person_id: str) -> UUID:
        # Derived: a contact naming the campaign finds its target without a query, and a launch that resumes
        # after a failure cannot put a person on the list twice.
        return derived_id("campaign-target", campaign_id, person_id)

    class Frozen(Aggregate.Created):
        campaign_id: str
        person_id: str
        region: str
        groups: list[str]

    class Counted(Aggregate.Event):
        """An event that changes the counts: it names the campaign and the region it counts in, so progress
        counters follow from the event alone."""

        campaign_id: str
        region: str
        reach: str  # after the event

    class Reached(Counted):
        contact_id: str
        in_person: bool
        previous: str

    class Released(Counted):
        """A contact that reached the target was withdrawn: it no longer counts."""

        contact_id: str
        previous: str

    class Moved(Counted):
        """The person moved (PersonTransferred): the target is counted where they live now (`region`)."""

        from_region: str

    class Died(Counted):
        """The person died (PersonDied): not reached by then, they leave those still to visit."""

        previous: str
        died_on: date

    class MovedAway(Counted):
        """The person moved out of the campaign's region (迁出): not reached by then, they leave those still to
        visit, and stay counted where they lived (`region`), as the campaign's own figures must show them."""

        previous: str
        to_region: str

    @event(Frozen)
    def __init__(self, *, campaign_id: str, person_id: str, region: str, groups: list[str]) -> None:
        self.campaign_id = campaign_id
        self.person_id = person_id
        self.region = region
        self.groups = list(groups)
        self.in_person: list[str] = []  # contact ids
        self.remote: list[str] = []
        self.died_on: date | None = None
        self.moved_away_to: str | None = None

    @classmethod
    def frozen(cls, campaign_id: UUID, target: Target) -> CampaignTarget:
        return cls(
            campaign_id=str(campaign_id), person_id=target.person_id, region=target.region, groups=list(target.groups)
        )

    @classmethod
    def frozen_event(cls, campaign_id: UUID, target: Target) -> CampaignTarget.Frozen:
        """The event `frozen` records, without building the aggregate: a launch saves 40,000 of them, and
        constructing each aggregate only to collect its one event would cost twice as much."""
        return cls.Frozen(  # type: ignore[call-arg]
            originator_id=cls.create_id(campaign_id, target.person_id),
            originator_version=cls.INITIAL_VERSION,
            originator_topic=TARGET_TOPIC,
            timestamp=cls.Frozen.create_timestamp(),
            campaign_id=str(campaign_id),
            person_id=target.person_id,
            region=target.region,
            groups=list(target.groups),
        )

    @property
    def reach(self) -> str:
        return _reach(self.in_person, self.remote, self.died_on, self.moved_away_to)

    def reached_by(self, contact_id: str, in_person: bool) -> None:
        if contact_id in self.in_person or contact_id in self.remote:
            return
        previous = self.reach
        reach = IN_PERSON if in_person or previous == IN_PERSON else REMOTE
        self._reached(
            campaign_id=self.campaign_id,
            region=self.region,
            reach=reach,
            contact_id=contact_id,
            in_person=in_person,
            previous=previous,
        )

    @event(Reached)
    def _reached(
        self, *, campaign_id: str, region: str, reach: str, contact_id: str, in_person: bool, previous: str
    ) -> None:
        (self.in_person if in_person else self.remote).append(contact_id)

    def release(self, contact_id: str) -> bool:
        """Stop counting a withdrawn contact; False if it never counted here."""
        if contact_id not in self.in_person and contact_id not in self.remote:
            return False
        previous = self.reach
        in_person = [c for c in self.in_person if c != contact_id]
        remote = [c for c in self.remote if c != contact_id]
        reach = _reach(in_person, remote, self.died_on, self.moved_away_to)
        self._released(
            campaign_id=self.campaign_id, region=self.region, reach=reach, contact_id=contact_id, previous=previous
        )
        return True

    @event(Released)
    def _released(self, *, campaign_id: str, region: str, reach: str, contact_id: str, previous: str) -> None:
        self.in_person = [c for c in self.in_person if c != contact_id]
        self.remote = [c for c in self.remote if c != contact_id]

    def move(self, to_region: str) -> bool:
        """The person moved within the campaign's region: counted where they live now. False for a redelivered
        or repeated transfer, and once they moved away (they stay counted where the campaign last had them)."""
        if to_region == self.region or self.moved_away_to is not None:
            return False
        self._moved(campaign_id=self.campaign_id, region=to_region, reach=self.reach, from_region=self.region)
        return True

    @event(Moved)
    def _moved(self, *, campaign_id: str, region: str, reach: str, from_region: str) -> None:
        self.region = region

    def died(self, died_on: date) -> bool:
        """Record the death once (False if recorded already). A target reached before stays counted as reached."""
        if self.died_on is not None:
            return False
        previous = self.reach
        reach = _reach(self.in_person, self.remote, died_on, self.moved_away_to)
        self._died(campaign_id=self.campaign_id, region=self.region, reach=reach, previous=previous, died_on=died_on)
        return True

    @event(Died)
    def _died(self, *, campaign_id: str, region: str, reach: str, previous: str, died_on: date) -> None:
        self.died_on = died_on

    def move_away(self, to_region: str) -> bool:
        """The person moved out of the campaign's region (False if recorded already). A target reached before
        stays counted as reached; one not reached leaves those still to visit."""
        if self.moved_away_to is not None:
            return False
        previous = self.reach
        reach = _reach(self.in_person, self.remote, self.died_on, to_region)
        self._moved_away(
            campaign_id=self.campaign_id, region=self.region, reach=reach, previous=previous, to_region=to_region
        )
        return True

    @event(MovedAway)
    def _moved_away(self, *, campaign_id: str, region: str, reach: str, previous: str, to_region: str) -> None:
        self.moved_away_to = to_region


def _reach(in_person: Sequence[str], remote: Sequence[str], died_on: date | None, moved_away_to: str | None) -> str:
    if in_person or remote:
        return IN_PERSON if in_person else REMOTE
    return DECEASED if died_on else MOVED_AWAY if moved_away_to else NOT_REACHED


TARGET_TOPIC = get_topic(CampaignTarget)


class CampaignCalendar(Aggregate):
    """Every launched campaign and its report deadline: which campaigns a transferred person's targets may be in."""

    ID = derived_id("campaign-calendar", "all")

    @staticmethod
    def create_id() -> UUID:
        return CampaignCalendar.ID

    class Opened(Aggregate.Created):
        pass

    class Listed(Aggregate.Event):
        campaign_id: str
        report_due: date

    @event(Opened)
    def __init__(self) -> None:
        self.campaigns: dict[str, date] = {}

    def add(self, campaign_id: UUID, report_due: date) -> None:
        if str(campaign_id) not in self.campaigns:
            self._listed(campaign_id=str(campaign_id), report_due=report_due)

    @event(Listed)
    def _listed(self, *, campaign_id: str, report_due: date) -> None:
        self.campaigns[campaign_id] = report_due

    def open_on(self, today: date) -> list[str]:
        """Campaigns still being reported on: a finished one keeps its figures where they were."""
        return [campaign_id for campaign_id, due in self.campaigns.items() if due >= today]
