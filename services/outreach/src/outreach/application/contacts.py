"""Commands about contacts and visits: record one, record a group's, correct, withdraw."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from outreach.application.campaigns import reached_targets, released_targets
from outreach.application.files import contact_file
from outreach.domain.contacts import CORRECTABLE, Contact, ContactMethod
from outreach.domain.schedule import ContactFile
from vet_common.auth import Principal
from vet_common.domain import Actor, DomainError, Invalid, NotFound, ensure_version
from vet_common.eventstore import ServiceApplication
from vet_common.people import PersonReplica, known_person

NO_SUCH_CONTACT = "查无此联系记录或不在本辖区 (no such contact in your jurisdiction)"
GROUP_LIMIT = 500  # people in one group entry: a county's meeting, not a roster


@dataclass(frozen=True, kw_only=True)
class ContactDetails:
    """What a staff member enters about a contact (the person aside)."""

    method: str
    contacted_on: date
    staff: str
    findings: str = ""
    needs_follow_up: bool = False
    occasion: str | None = None
    campaign_id: str | None = None


class ContactCommands(ServiceApplication):
    def record_contact(
        self, *, person_id: UUID | str, details: ContactDetails, principal: Principal, actor: Actor
    ) -> UUID:
        """Record a contact with a living person the caller may see, in the person's region.

        Who the person is comes from outreach's own replica of the registry's events, never from a call to
        the registry: NotYetKnown (409) until their registration has reached outreach, NotFound (404) outside
        the caller's jurisdiction, PersonDeceased (409) once the registry recorded a death; Invalid (422,
        `date`) for a day after today or before the person was registered.
        """
        contact, *more = self.prepare_contact(person_id=person_id, details=details, principal=principal, actor=actor)
        self.save(contact, *more)
        return contact.id  # type: ignore[no-any-return]

    def prepare_contact(
        self, *, person_id: UUID | str, details: ContactDetails, principal: Principal, actor: Actor
    ) -> list[Any]:
        """The contact, then what it changes (the person's contact file counting it, a campaign's target it
        reaches), checked as `record_contact` checks them and not saved: for a command that saves them with
        more (a request found in the visit)."""
        person = known_person(self, person_id, principal)
        person.ensure_living()
        self._check_date(details.contacted_on, person)
        return self._contact_with(person, details, None, actor)

    def record_group_contact(
        self, *, person_ids: list[UUID], details: ContactDetails, principal: Principal, actor: Actor
    ) -> tuple[UUID, list[UUID]]:
        """One meeting or group activity with many people: one Contact per person, sharing a group id, saved
        together or not at all. A refusal names the person (`person_ids.N`) it is about."""
        if not ContactMethod(details.method).is_group:
            raise Invalid("method", GROUP_ONLY)
        if len(set(person_ids)) != len(person_ids):
            raise Invalid("person_ids", "名单中有重复人员 (a person is listed twice)")
        group_id = uuid.uuid4()
        saved: list[Any] = []
        for index, person_id in enumerate(person_ids):
            try:
                person = known_person(self, person_id, principal)
                person.ensure_living()
                self._check_date(details.contacted_on, person)
            except Invalid as error:
                raise Invalid(error.field, error.message) from None
            except DomainError as error:  # NotFound, NotYetKnown, PersonDeceased: say whom it is about
                raise Invalid(f"person_ids.{index}", f"第 {index + 1} 人：{error.message}") from None
            saved += self._contact_with(person, details, str(group_id), actor)
        self.save(*saved)
        return group_id, [a.id for a in saved if isinstance(a, Contact)]

    def correct_contact(
        self,
        contact_id: UUID,
        *,
        changes: dict[str, Any],
        reason: str,
        principal: Principal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Contact:
        """Put a mistake right: the new values are recorded with the reason, the old ones stay in the history."""
        contact = self._contact(contact_id, principal, expected_version)
        changes = {name: value for name, value in changes.items() if name in CORRECTABLE}
        changes = {name: value for name, value in changes.items() if getattr(contact, name) != value}
        if not changes:
            raise Invalid("body", "没有需要更正的内容 (nothing differs from the record: nothing to correct)")
        person = self._replica(contact.person_id)
        if "contacted_on" in changes:
            self._check_date(changes["contacted_on"], person)
        contact.correct(changes, reason, actor)
        file = self._file(person)
        file.count(
            contact_id=str(contact.id),
            contacted_on=contact.contacted_on,
            home_visit=ContactMethod(contact.method).is_home_visit,
        )
        self.save(contact, file)
        return contact

    def withdraw_contact(
        self,
        contact_id: UUID,
        *,
        reason: str,
        principal: Principal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Contact:
        """A record that should not exist (the wrong person, entered twice): it no longer counts anywhere."""
        contact = self._contact(contact_id, principal, expected_version)
        contact.withdraw(reason, actor)
        file = self._file(self._replica(contact.person_id))
        file.uncount(contact_id=str(contact.id))
        # A campaign's target it reached is no longer reached by it.
        self.save(contact, file, *released_targets(self, contact))
        return contact

    def visible_person(self, person_id: UUID, principal: Principal) -> PersonReplica:
        """The person as outreach knows them; 404 outside the caller's jurisdiction, 409 if not known yet."""
        return known_person(self, person_id, principal)

    def get_contact(self, contact_id: UUID) -> Contact | None:
        found = self.get_or_none(contact_id)
        return found if isinstance(found, Contact) else None

    # The parts ---------------------------------------------------------------------------------------------

    def _check_date(self, contacted_on: date, person: PersonReplica) -> None:
        if contacted_on > self.clock.today():
            raise Invalid("date", "联系日期不能晚于今天 (the contact date cannot be in the future)")
        registered_on = getattr(person, "registered_on", None)
        if registered_on is not None and contacted_on < registered_on:
            raise Invalid(
                "date",
                f"联系日期不能早于该人员的建档日期 {registered_on.isoformat()} "
                f"(the contact date cannot be before the person was registered on {registered_on.isoformat()})",
            )

    def _contact_with(
        self, person: PersonReplica, details: ContactDetails, group_id: str | None, actor: Actor
    ) -> list[Any]:
        contact = Contact(
            person_id=person.person_id,
            region=person.region,
            method=details.method,
            contacted_on=details.contacted_on,
            staff=details.staff,
            findings=details.findings,
            needs_follow_up=details.needs_follow_up,
            occasion=details.occasion,
            campaign_id=details.campaign_id,
            group_id=group_id,
            actor=actor,
        )
        file = self._file(person)
        file.count(
            contact_id=str(contact.id),
            contacted_on=details.contacted_on,
            home_visit=ContactMethod(details.method).is_home_visit,
        )
        # A contact naming a campaign reaches its target (422 if the person is not one of them).
        return [contact, file, *reached_targets(self, contact)]

    def _contact(self, contact_id: UUID, principal: Principal, expected_version: int | None) -> Contact:
        contact = self.get_contact(contact_id)
        if contact is None or not principal.can_see(contact.region):
            raise NotFound(NO_SUCH_CONTACT)
        ensure_version(contact.version, expected_version, "联系记录", "contact")
        return contact

    def _replica(self, person_id: str) -> PersonReplica:
        replica: PersonReplica | None = self.get_or_none(PersonReplica.create_id(person_id))
        assert replica is not None, "a contact is only recorded for a person the replica knows"
        return replica

    def _file(self, person: PersonReplica) -> ContactFile:
        return contact_file(self, person)


GROUP_ONLY = (
    "多人一次记录仅用于座谈会、集中活动、医疗巡诊 (a group entry is for a meeting, group activity or medical round)"
)
