"""Commands about pairings (结对子): pair a staff member with key contacts, end a pairing, reassign it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from outreach.application.files import contact_file
from outreach.domain.pairings import EndReason, Pairing
from outreach.domain.schedule import ContactFile
from vet_common.auth import Principal
from vet_common.domain import Actor, DomainError, Invalid, NotFound, ensure_version
from vet_common.eventstore import ServiceApplication
from vet_common.people import PersonReplica, known_person

NO_SUCH_PAIRING = "查无此结对记录或不在本辖区 (no such pairing in your jurisdiction)"


class PairingCommands(ServiceApplication):
    def pair(self, *, staff: str, person_ids: list[UUID], principal: Principal, actor: Actor) -> list[UUID]:
        """Pair `staff` with each person (一对一 for one, 一对多 for many), all or none. Each must be a living key
        contact the caller may see, not paired already; a refusal names the person (`person_ids.N`)."""
        if len(set(person_ids)) != len(person_ids):
            raise Invalid("person_ids", "名单中有重复人员 (a person is listed twice)")
        changed: list[Any] = []
        for index, person_id in enumerate(person_ids):
            try:
                person = known_person(self, person_id, principal)
                person.ensure_living()
                file = contact_file(self, person)
                file.ensure_pairable()
            except DomainError as error:
                raise Invalid(f"person_ids.{index}", f"第 {index + 1} 人：{error.message}") from None
            changed += self._start(person, file, staff, actor)
        self.save(*changed)
        return [a.id for a in changed if isinstance(a, Pairing)]

    def end_pairing(
        self,
        pairing_id: UUID,
        *,
        reason: EndReason,
        principal: Principal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Pairing:
        pairing = self._pairing(pairing_id, principal, expected_version)
        file = self._file_of(pairing.person_id)
        pairing.end(reason, self.clock.today(), actor)
        file.unpair(pairing_id=str(pairing.id))
        self.save(pairing, file)
        return pairing

    def reassign_pairing(
        self,
        pairing_id: UUID,
        *,
        staff: str,
        principal: Principal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> UUID:
        """End the pairing ("reassigned") and pair the person with `staff`, in one transaction."""
        pairing = self._pairing(pairing_id, principal, expected_version)
        if staff == pairing.staff:
            raise Invalid("staff", "新的结对人员与原来相同 (that is the staff member already paired)")
        file = self._file_of(pairing.person_id)
        pairing.end(EndReason.reassigned, self.clock.today(), actor)
        file.unpair(pairing_id=str(pairing.id))
        replica: PersonReplica = self.get_or_none(PersonReplica.create_id(pairing.person_id))
        changed = self._start(replica, file, staff, actor)
        self.save(pairing, *changed)
        return changed[0].id  # type: ignore[no-any-return]

    def get_pairing(self, pairing_id: UUID) -> Pairing | None:
        found = self.get_or_none(pairing_id)
        return found if isinstance(found, Pairing) else None

    def _start(self, person: PersonReplica, file: ContactFile, staff: str, actor: Actor) -> list[Any]:
        pairing = Pairing(
            person_id=person.person_id, region=person.region, staff=staff, started_on=self.clock.today(), actor=actor
        )
        file.pair(pairing_id=str(pairing.id), staff=staff)
        return [pairing, file]

    def _file_of(self, person_id: str) -> ContactFile:
        file: ContactFile = self.get_or_none(ContactFile.create_id(person_id))
        return file

    def _pairing(self, pairing_id: UUID, principal: Principal, expected_version: int | None) -> Pairing:
        pairing = self.get_pairing(pairing_id)
        if pairing is None or not principal.can_see(pairing.region):
            raise NotFound(NO_SUCH_PAIRING)
        ensure_version(pairing.version, expected_version, "结对记录", "pairing")
        return pairing
