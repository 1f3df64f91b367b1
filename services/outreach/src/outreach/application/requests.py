"""Commands of the request ledger (诉求台账), and its reactions to the registry's person events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from outreach.application.contacts import ContactCommands, ContactDetails
from outreach.domain.contacts import Contact
from outreach.domain.request_deadlines import DeadlineRules, DeadlineTable, checked_table
from outreach.domain.requests import (
    PersonRequests,
    Request,
    RequestCategory,
    RequestGrade,
    Satisfaction,
    escalation_due,
)
from vet_common.auth import Principal, Role
from vet_common.domain import CHINA, SYSTEM_ACTOR, Actor, Invalid, PreconditionFailed, Refused, ensure_version
from vet_common.jurisdiction import ensure_visible
from vet_common.people import known_person
from vet_common.policies import Policies
from vet_common.regions import LEVEL_LENGTHS, full_name
from vet_contracts import registry

CAN_ESCALATE = (Role.officer, Role.admin)
AUTOMATIC = "逾期自动督办 (overdue: escalated by the daily run)"


def unit_of(region: str) -> str:
    """The default responsible department: the caller's own unit (a township's station, a county's bureau)."""
    name = (full_name(region) or region).split()[-1]
    return (
        f"{name}退役军人服务站"
        if LEVEL_LENGTHS.get(len(region)) in ("township", "village")
        else f"{name}退役军人事务局"
    )


@dataclass(frozen=True)
class Acting:
    """Who takes a step of a request, and the version of it they saw (If-Match), when they said."""

    principal: Principal
    actor: Actor
    expected_version: int | None = None


class RequestCommands(ContactCommands):
    # The deadline table ------------------------------------------------------------------------------------------

    def deadline_table(self) -> DeadlineTable:
        rules: DeadlineRules | None = self.get_or_none(DeadlineRules.create_id())
        return rules.table if rules else DeadlineTable()

    def set_deadline_table(
        self,
        *,
        days: dict[str, dict[str, int]],
        supervision_days: dict[str, int],
        reason: str,
        principal: Principal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> DeadlineTable:
        """A provincial officer (or an admin) sets the table for requests registered from now on; the requests
        already registered keep their deadlines and the version they were computed with."""
        if not (principal.has_role(Role.admin) or (principal.has_role(Role.officer) and len(principal.region) == 2)):
            raise Refused(
                "只有省级业务科室人员可以修改办理时限 (only a provincial officer may change the deadline table)"
            )
        checked_table(days, supervision_days)
        rules: DeadlineRules | None = self.get_or_none(DeadlineRules.create_id())
        current = rules.version if rules else 0
        if expected_version is not None and expected_version != current:
            raise PreconditionFailed(
                f"办理时限已被他人修改（当前第 {current} 版），请刷新后重试 (the table changed: version {current})",
                version=current,
            )
        if rules is None:
            rules = DeadlineRules(days=days, supervision_days=supervision_days, reason=reason, actor=actor)
        else:
            rules.change(days, supervision_days, reason, actor)
        self.save(rules)
        return rules.table

    # Registering ---------------------------------------------------------------------------------------------------

    def new_request(
        self,
        *,
        person_id: UUID | str,
        category: RequestCategory,
        grade: RequestGrade,
        summary: str,
        found_in: str | None,
        department: str | None,
        assignee: str | None,
        principal: Principal,
        actor: Actor,
        contact: Contact | None = None,
    ) -> list[Any]:
        """The request and the person's list of requests, unsaved: `register_request` saves them, and a contact
        recorded with "follow-up needed" saves them with the contact (`contact`, found in it) in one step."""
        person = known_person(self, person_id, principal)
        person.ensure_living()
        found_in_contact, occasion = self._found_in(person.person_id, found_in, contact)
        today = self.clock.today()
        table = self.deadline_table()
        request = Request(
            person_id=person.person_id,
            region=person.region,
            category=category.value,
            grade=grade.value,
            summary=summary,
            found_in_contact=found_in_contact,
            occasion=occasion,
            department=department or unit_of(principal.region),
            assignee=assignee or principal.sub,
            responsible_region=principal.region,
            registered_on=today,
            deadline=table.deadline(category, grade, today),
            rules_version=table.version,
            actor=actor,
        )
        listed: PersonRequests | None = self.get_or_none(PersonRequests.create_id(person.person_id))
        if listed is None:
            listed = PersonRequests(person_id=person.person_id, request_id=str(request.id))
        else:
            listed.add(request_id=str(request.id))
        return [request, listed]

    def register_request(self, **arguments: Any) -> UUID:
        """Register a request of a living person the caller may see (arguments as for `new_request`)."""
        request, listed = self.new_request(**arguments)
        self.save(request, listed)
        return request.id  # type: ignore[no-any-return]

    def record_contact_with_request(
        self,
        *,
        person_id: UUID | str,
        contact: dict[str, Any],
        request: dict[str, Any],
        principal: Principal,
        actor: Actor,
    ) -> tuple[UUID, UUID]:
        """ "Follow-up needed" opens a request in one step: the contact (needing follow-up) and the request found
        in it are saved in one transaction, or neither is. `contact` holds what a staff member enters about a
        contact (method, contacted_on, staff, findings, occasion, campaign_id), `request` the request's fields as
        for `register_request` (category, grade, summary, department, assignee)."""
        # Checked and counted toward the contact rules as any contact (the contacts part's command).
        details = ContactDetails(**contact, needs_follow_up=True)
        visit, *changed = self.prepare_contact(person_id=person_id, details=details, principal=principal, actor=actor)
        opened = self.new_request(
            **request, person_id=visit.person_id, found_in=None, principal=principal, actor=actor, contact=visit
        )
        self.save(visit, *changed, *opened)
        return visit.id, opened[0].id

    def _found_in(self, person_id: str, found_in: str | None, contact: Contact | None) -> tuple[str | None, str | None]:
        """Where it was found: a contact with this person (its id), or an occasion (八一, 信访接待 ...)."""
        if contact is not None:
            return str(contact.id), contact.occasion
        if not found_in:
            return None, None
        try:
            contact_id = UUID(found_in)
        except ValueError:
            return None, found_in
        return self._contact_of(person_id, contact_id, "found_in"), None

    def _contact_of(self, person_id: str, contact_id: UUID | None, field: str) -> str | None:
        if contact_id is None:
            return None
        contact = self.get_or_none(contact_id)
        if not isinstance(contact, Contact) or contact.person_id != person_id:
            raise Invalid(
                field, "找不到该人员的这条联系记录 (no such contact with this person: record the visit first)"
            )
        return str(contact.id)

    # The closed loop -----------------------------------------------------------------------------------------------

    def get_request(self, request_id: UUID) -> Request | None:
        found = self.get_or_none(request_id)
        return found if isinstance(found, Request) else None

    def visible_request(self, request_id: UUID, principal: Principal, expected_version: int | None = None) -> Request:
        """The request, NotFound outside the caller's jurisdiction; PreconditionFailed for a stale version."""
        request = self.get_request(request_id)
        ensure_visible(principal, request.region if request else None, "诉求")
        assert request is not None
        ensure_version(request.version, expected_version, "该诉求", "request")
        return request

    def accept_request(
        self, request_id: UUID, by: Acting, *, department: str | None, assignee: str | None, note: str
    ) -> Request:
        """Accept (受理), naming the responsible department and person if they are not the registering one's."""
        request = self.visible_request(request_id, by.principal, by.expected_version)
        request.accept(self.clock.today(), department, assignee, note, by.actor)
        return self._saved(request)

    def assign_request(
        self, request_id: UUID, by: Acting, *, department: str | None, assignee: str, note: str
    ) -> Request:
        """Make another staff member (and department) responsible for an open request."""
        request = self.visible_request(request_id, by.principal, by.expected_version)
        request.assign(self.clock.today(), department, assignee, note, by.actor)
        return self._saved(request)

    def start_request(self, request_id: UUID, by: Acting, *, note: str) -> Request:
        request = self.visible_request(request_id, by.principal, by.expected_version)
        request.start(self.clock.today(), note, by.actor)
        return self._saved(request)

    def note_request_progress(self, request_id: UUID, by: Acting, *, note: str, contact_id: UUID | None) -> Request:
        """A visit or call about the request; `contact_id` links the contact recorded for it."""
        request = self.visible_request(request_id, by.principal, by.expected_version)
        contact = self._contact_of(request.person_id, contact_id, "contact_id")
        request.note_progress(self.clock.today(), note, contact, by.actor)
        return self._saved(request)

    def resolve_request(self, request_id: UUID, by: Acting, *, what_was_done: str) -> Request:
        request = self.visible_request(request_id, by.principal, by.expected_version)
        request.resolve(self.clock.today(), what_was_done, by.actor)
        return self._saved(request)

    def follow_up_request(
        self, request_id: UUID, by: Acting, *, satisfaction: Satisfaction, contact_id: UUID | None, note: str
    ) -> Request:
        """The follow-up visit (回访): satisfied closes the request; dissatisfied reopens it with a new deadline
        from today's table. `contact_id` links the visit recorded as a contact."""
        request = self.visible_request(request_id, by.principal, by.expected_version)
        contact = self._contact_of(request.person_id, contact_id, "contact_id")
        today = self.clock.today()
        deadline = self.deadline_table().deadline(request.category, request.grade, today)
        request.follow_up(today, satisfaction, contact, note, deadline, by.actor)
        return self._saved(request)

    def close_request_of_deceased(self, request_id: UUID, by: Acting, *, reason: str) -> Request:
        request = self.visible_request(request_id, by.principal, by.expected_version)
        request.close_for_deceased(self.clock.today(), reason, by.actor)
        return self._saved(request)

    def escalate_request(self, request_id: UUID, by: Acting, *, reason: str) -> Request:
        """An officer escalates by hand (督办), before or after the deadline, saying why."""
        if not by.principal.has_role(*CAN_ESCALATE):
            raise Refused("只有业务科室人员可以督办 (only officers may escalate a request)")
        request = self.visible_request(request_id, by.principal, by.expected_version)
        request.escalate(self.clock.today(), reason, by.actor)
        return self._saved(request)

    def escalate_if_due(self, request_id: UUID, today: date) -> bool:
        """The daily run's decision on one request, taken on the stored request (not the read model, which may
        lag): True if it was escalated now. A concurrent change wins; the next run decides again."""
        request = self.get_request(request_id)
        if request is None:
            return False
        period = self.deadline_table().supervision_period(request.grade)
        if not escalation_due(today, **request.escalation_state(period)):
            return False
        request.escalate(today, AUTOMATIC, SYSTEM_ACTOR, automatic=True)
        try:
            self.save(request)
        except IntegrityError:
            return False
        return True

    def requests_of(self, person_id: str) -> list[Request]:
        listed: PersonRequests | None = self.get_or_none(PersonRequests.create_id(person_id))
        found = [self.get_request(UUID(request_id)) for request_id in (listed.request_ids if listed else [])]
        return [request for request in found if request is not None]

    def _saved(self, request: Request) -> Request:
        self.save(request)
        return request


# Reactions to the registry's person events ------------------------------------------------------------------------

request_reactions = Policies()


def _day_of(person_event: Any) -> date:
    # The event's own date, not the clock: a redelivery decides on the same facts.
    return person_event.occurred_at.astimezone(CHINA).date()  # type: ignore[no-any-return]


@request_reactions.on(registry.PersonDied)
def mark_person_deceased(application: RequestCommands, died: registry.PersonDied) -> Sequence[Request]:
    """Open requests stay visible, marked (person deceased), for the station to close them out."""
    requests = application.requests_of(died.data.person_id)
    return [request for request in requests if request.note_person_deceased(_day_of(died), SYSTEM_ACTOR)]


@request_reactions.on(registry.PersonTransferred)
def move_open_requests(application: RequestCommands, moved: registry.PersonTransferred) -> Sequence[Request]:
    """Open requests go with the person: the receiving side sees them, the old side no longer does."""
    note = "人员迁移，诉求随迁至接收地 (the person transferred: the request moves with them)"
    requests = application.requests_of(moved.data.person_id)
    return [request for request in requests if request.move(moved.region, _day_of(moved), note, SYSTEM_ACTOR)]
