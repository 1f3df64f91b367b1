"""The request ledger (诉求台账): every difficulty or request found, followed until it is resolved and followed up.

The closed loop: registered (登记) -> accepted (受理) -> in progress (办理中) -> resolved (化解, with what was done)
-> follow-up visit (回访) with the person's satisfaction -> closed; a dissatisfied person reopens it. A request
past its deadline is escalated (督办) one level up at a time: the level above supervises it until it is resolved.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor, Conflict, actor_from, derived_id
from vet_common.regions import parent_of


class RequestCategory(StrEnum):
    medical = "medical"  # 医疗
    housing = "housing"  # 住房
    employment = "employment"  # 就业
    education = "education"  # 子女教育
    living_difficulty = "living_difficulty"  # 生活困难
    policy_question = "policy_question"  # 政策咨询
    petition = "petition"  # 信访
    other = "other"  # 其他


class RequestGrade(StrEnum):
    """How pressing a request is: it sets the deadline and how soon an escalated one is escalated again."""

    ordinary = "ordinary"  # 一般
    urgent = "urgent"  # 紧急: a matter of days (an illness, no money for food)
    major = "major"  # 重大: many people, a petition to higher levels, a risk of conflict


class RequestStatus(StrEnum):
    registered = "registered"  # 已登记
    accepted = "accepted"  # 已受理
    in_progress = "in_progress"  # 办理中
    resolved = "resolved"  # 已化解, awaiting the follow-up visit
    closed = "closed"  # 已办结


OPEN_STATUSES = frozenset({RequestStatus.registered, RequestStatus.accepted, RequestStatus.in_progress})


class Satisfaction(StrEnum):
    satisfied = "satisfied"  # 满意
    basically_satisfied = "basically_satisfied"  # 基本满意
    dissatisfied = "dissatisfied"  # 不满意: reopens the request


ZH_STATUS = {
    RequestStatus.registered: "已登记",
    RequestStatus.accepted: "已受理",
    RequestStatus.in_progress: "办理中",
    RequestStatus.resolved: "已化解待回访",
    RequestStatus.closed: "已办结",
}


# Refusals --------------------------------------------------------------------------------------------------------


class StepOutOfOrder(Conflict):
    """A step of the closed loop asked for when the request is not at the step before it."""

    def __init__(self, step_zh: str, step_en: str, status: str, needed: frozenset[RequestStatus]) -> None:
        needed_zh = "、".join(ZH_STATUS[s] for s in RequestStatus if s in needed)
        needed_en = " or ".join(s.value for s in RequestStatus if s in needed)
        super().__init__(
            f"该诉求当前为“{ZH_STATUS[RequestStatus(status)]}”，只有“{needed_zh}”的诉求才能{step_zh} "
            f"(the request is {status}: only a request that is {needed_en} can be {step_en})",
            status=status,
        )


class NotDeceased(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "只有当事人已去世的诉求才能不经回访办结，请先回访 (only a deceased person's request is closed without the "
            "follow-up visit: follow it up instead)"
        )


class NoLevelAbove(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "该诉求已由省级督办，无法再向上督办 (the province supervises it already: there is no level above)"
        )


# Escalation (督办): the pure rule ----------------------------------------------------------------------------------


def level_above(responsible_region: str, supervised_by: str | None) -> str | None:
    """Who supervises after one more escalation: the level above the supervisor, or above the responsible unit."""
    return parent_of(supervised_by or responsible_region)


def escalate_after(
    *,
    status: str,
    deadline: date,
    last_escalated_on: date | None,
    next_level: str | None,
    supervision_days: int,
) -> date | None:
    """The last day an open request may stay where it is: its deadline, or once escalated, the supervisor's
    period after the last escalation (whichever is later). None when it is not open or has no level above."""
    if status not in OPEN_STATUSES or next_level is None:
        return None
    if last_escalated_on is None:
        return deadline
    return max(deadline, last_escalated_on + timedelta(days=supervision_days))


def escalation_due(today: date, **state: Any) -> bool:
    """Whether the daily run escalates the request today. Escalating moves `last_escalated_on` to today, so a
    second run on the same day finds nothing due (idempotent)."""
    after = escalate_after(**state)
    return after is not None and today > after


# The request -----------------------------------------------------------------------------------------------------


class RequestStep(Aggregate.Event):
    """A step of a request's loop (the base of Request's events after Registered): when it was taken, who took
    it and why (`note`); the request's history shows each."""

    person_id: str
    region: str
    category: str
    grade: str
    status: str
    on: date
    note: str
    actor: Actor

    STEP: ClassVar[str] = ""
    DETAILS: ClassVar[tuple[str, ...]] = ()

    def apply(self, request: Any) -> None:
        request.region = self.region
        request.status = self.status
        details = {name: _plain(getattr(self, name)) for name in self.DETAILS}
        request.history.append(
            {"step": self.STEP, "on": self.on.isoformat(), "at": self.timestamp.isoformat()}
            | {"by": actor_from(self.actor).sub, "note": self.note}
            | details
        )


class Request(Aggregate):
    """One request of one person. Every step's event carries the person, the request's region (the person's,
    which follows a transfer), category, grade and status after it: each is published and counted alone."""

    class Registered(Aggregate.Created):
        person_id: str
        region: str
        category: str
        grade: str
        summary: str
        found_in_contact: str | None
        occasion: str | None
        department: str
        assignee: str | None
        responsible_region: str
        registered_on: date
        deadline: date
        rules_version: int
        actor: Actor

    class Accepted(RequestStep):
        department: str
        assignee: str | None
        STEP = "accepted"
        DETAILS = ("department", "assignee")

        def apply(self, request: Request) -> None:
            super().apply(request)
            request.department = self.department
            request.assignee = self.assignee

    class Assigned(Accepted):
        """Another department or staff member made responsible (after a transfer, the receiving side's)."""

        STEP = "assigned"

    class Started(RequestStep):
        STEP = "started"

    class ProgressNoted(RequestStep):
        """A visit or call while it is dealt with (the Zhuhai petitioner was visited 13 times)."""

        contact_id: str | None
        STEP = "progress"
        DETAILS = ("contact_id",)

        def apply(self, request: Request) -> None:
            super().apply(request)
            request.visits += [self.contact_id] if self.contact_id else []

    class Resolved(RequestStep):
        STEP = "resolved"  # `note` says what was done

        def apply(self, request: Request) -> None:
            super().apply(request)
            request.resolved_on = self.on

    class FollowedUp(RequestStep):
        satisfaction: str
        contact_id: str | None
        STEP = "followed_up"
        DETAILS = ("satisfaction", "contact_id")

        def apply(self, request: Request) -> None:
            super().apply(request)
            request.satisfaction = self.satisfaction
            request.visits += [self.contact_id] if self.contact_id else []

    class Closed(RequestStep):
        STEP = "closed"

        def apply(self, request: Request) -> None:
            super().apply(request)
            request.closed_on = self.on

    class Reopened(RequestStep):
        deadline: date
        STEP = "reopened"
        DETAILS = ("deadline",)

        def apply(self, request: Request) -> None:
            super().apply(request)
            request.deadline = self.deadline
            request.resolved_on = None

    class Escalated(RequestStep):
        supervised_by: str
        level: int
        automatic: bool
        STEP = "escalated"
        DETAILS = ("supervised_by", "level", "automatic")

        def apply(self, request: Request) -> None:
            super().apply(request)
            request.supervised_by = self.supervised_by
            request.escalation_level = self.level
            request.last_escalated_on = self.on

    class Moved(RequestStep):
        """The person moved (PersonTransferred): the request goes with them to the receiving township."""

        from_region: str
        responsible_region: str
        supervised_by: str | None
        STEP = "moved"
        DETAILS = ("from_region", "region", "responsible_region")

        def apply(self, request: Request) -> None:
            super().apply(request)
            request.responsible_region = self.responsible_region
            request.supervised_by = self.supervised_by
            request.assignee = None  # the receiving side assigns someone

    class PersonDeceasedNoted(RequestStep):
        STEP = "person_deceased"

        def apply(self, request: Request) -> None:
            super().apply(request)
            request.person_deceased = True

    @event(Registered)
    def __init__(
        self,
        *,
        person_id: str,
        region: str,
        category: str,
        grade: str,
        summary: str,
        found_in_contact: str | None,
        occasion: str | None,
        department: str,
        assignee: str | None,
        responsible_region: str,
        registered_on: date,
        deadline: date,
        rules_version: int,
        actor: Actor,
    ) -> None:
        self.person_id = person_id
        self.region = region
        self.category = category
        self.grade = grade
        self.summary = summary
        self.found_in_contact = found_in_contact
        self.occasion = occasion
        self.department = department
        self.assignee = assignee
        self.responsible_region = responsible_region
        self.registered_on = registered_on
        self.deadline = deadline
        self.rules_version = rules_version
        self.status = RequestStatus.registered.value
        self.supervised_by: str | None = None
        self.escalation_level = 0
        self.last_escalated_on: date | None = None
        self.resolved_on: date | None = None
        self.closed_on: date | None = None
        self.satisfaction: str | None = None
        self.person_deceased = False
        self.visits: list[str] = [found_in_contact] if found_in_contact else []
        self.history: list[dict[str, Any]] = [
            {"step": "registered", "on": registered_on.isoformat(), "at": self.created_on.isoformat()}
            | {"by": actor.sub, "note": summary}
        ]

    # The closed loop ----------------------------------------------------------------------------------------------

    def accept(self, on: date, department: str | None, assignee: str | None, note: str, actor: Actor) -> None:
        self._expect({RequestStatus.registered}, "受理", "accepted")
        self._step(
            Request.Accepted,
            on,
            note,
            actor,
            RequestStatus.accepted,
            department=department or self.department,
            assignee=assignee or self.assignee,
        )

    def assign(self, on: date, department: str | None, assignee: str, note: str, actor: Actor) -> None:
        self._expect(OPEN_STATUSES, "指定责任人", "assigned")
        self._step(Request.Assigned, on, note, actor, department=department or self.department, assignee=assignee)

    def start(self, on: date, note: str, actor: Actor) -> None:
        self._expect({RequestStatus.accepted}, "开始办理", "started")
        self._step(Request.Started, on, note, actor, RequestStatus.in_progress)

    def note_progress(self, on: date, note: str, contact_id: str | None, actor: Actor) -> None:
        """Progress is what a worker does: an accepted request with progress noted is in progress."""
        self._expect({RequestStatus.accepted, RequestStatus.in_progress}, "记录办理进展", "given progress")
        self._step(Request.ProgressNoted, on, note, actor, RequestStatus.in_progress, contact_id=contact_id)

    def resolve(self, on: date, what_was_done: str, actor: Actor) -> None:
        self._expect({RequestStatus.in_progress}, "标记为已化解", "resolved")
        self._step(Request.Resolved, on, what_was_done, actor, RequestStatus.resolved)

    def follow_up(
        self, on: date, satisfaction: Satisfaction, contact_id: str | None, note: str, deadline: date, actor: Actor
    ) -> None:
        """The follow-up visit (回访): satisfied closes the request, dissatisfied reopens it with a new deadline."""
        self._expect({RequestStatus.resolved}, "回访", "followed up")
        self._step(
            Request.FollowedUp,
            on,
            note,
            actor,
            RequestStatus.resolved,
            satisfaction=satisfaction.value,
            contact_id=contact_id,
        )
        if satisfaction is Satisfaction.dissatisfied:
            self._step(Request.Reopened, on, note, actor, RequestStatus.in_progress, deadline=deadline)
        else:
            self._step(Request.Closed, on, note, actor, RequestStatus.closed)

    def close_for_deceased(self, on: date, reason: str, actor: Actor) -> None:
        """A deceased person's request is closed without the follow-up visit, saying why (e.g. the family needs
        nothing further, or what remains goes to the survivors' own requests)."""
        if not self.person_deceased:
            raise NotDeceased()
        self._expect(OPEN_STATUSES | {RequestStatus.resolved}, "办结", "closed")
        self._step(Request.Closed, on, reason, actor, RequestStatus.closed)

    def escalate(self, on: date, reason: str, actor: Actor, automatic: bool = False) -> None:
        self._expect(OPEN_STATUSES, "督办", "escalated")
        above = self.next_level
        if above is None:
            raise NoLevelAbove()
        self._step(
            Request.Escalated,
            on,
            reason,
            actor,
            supervised_by=above,
            level=self.escalation_level + 1,
            automatic=automatic,
        )

    # Reactions to the person's record ------------------------------------------------------------------------------

    def move(self, to_region: str, on: date, note: str, actor: Actor) -> bool:
        """The person moved: an open request goes to the receiving township, unassigned, supervised the same
        number of levels above it. False (nothing changes) for a request not open, or already there."""
        if not self.is_open or self.region == to_region:
            return False
        responsible = to_region[:9]
        supervised_by = None
        for _ in range(self.escalation_level):
            supervised_by = level_above(responsible, supervised_by) or supervised_by
        self._step(
            Request.Moved,
            on,
            note,
            actor,
            region=to_region,
            from_region=self.region,
            responsible_region=responsible,
            supervised_by=supervised_by,
        )
        return True

    def note_person_deceased(self, on: date, actor: Actor) -> bool:
        """Open (or resolved) requests stay visible, marked; False when already marked or closed."""
        if self.person_deceased or self.status == RequestStatus.closed:
            return False
        self._step(Request.PersonDeceasedNoted, on, "人员已去世 (the person died)", actor)
        return True

    # Queries -----------------------------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def next_level(self) -> str | None:
        return level_above(self.responsible_region, self.supervised_by)

    def overdue_on(self, today: date) -> bool:
        return self.is_open and today > self.deadline

    def escalation_state(self, supervision_days: int) -> dict[str, Any]:
        """The facts the escalation rule decides on."""
        return {
            "status": self.status,
            "deadline": self.deadline,
            "last_escalated_on": self.last_escalated_on,
            "next_level": self.next_level,
            "supervision_days": supervision_days,
        }

    # Internals ---------------------------------------------------------------------------------------------------

    def _expect(self, needed: set[RequestStatus] | frozenset[RequestStatus], step_zh: str, step_en: str) -> None:
        if self.status not in needed:
            raise StepOutOfOrder(step_zh, step_en, self.status, frozenset(needed))

    def _step(
        self,
        kind: type[RequestStep],
        on: date,
        note: str,
        actor: Actor,
        status: str | None = None,
        **details: Any,
    ) -> None:
        self.trigger_event(
            kind,
            **{
                "person_id": self.person_id,
                "region": self.region,
                "category": self.category,
                "grade": self.grade,
                "status": status or self.status,
                "on": on,
                "note": note,
                "actor": actor,
                **details,
            },
        )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


class PersonRequests(Aggregate):
    """Which requests a person has, kept beside them so a reaction to the person's events finds them in the
    event store (reactions read no read model, which may lag behind)."""

    @staticmethod
    def create_id(person_id: str) -> UUID:
        return derived_id("person-requests", person_id)

    class Started(Aggregate.Created):
        person_id: str
        request_id: str

    class Added(Aggregate.Event):
        request_id: str

    @event(Started)
    def __init__(self, *, person_id: str, request_id: str) -> None:
        self.person_id = person_id
        self.request_ids = [request_id]

    @event(Added)
    def add(self, *, request_id: str) -> None:
        self.request_ids.append(request_id)
