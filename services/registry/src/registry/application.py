"""Registry commands and queries over the event store."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from registry.domain import IdNumberClaim, Person
from vet_common.eventstore import ServiceApplication
from vet_common.settings import Settings


class AlreadyRegistered(Exception):
    def __init__(self, existing_id: UUID) -> None:
        super().__init__(f"ID number already has an active record: {existing_id}")
        self.existing_id = existing_id


@dataclass(frozen=True, kw_only=True)
class Registration:
    id_number: str
    name: str
    sex: str
    birth_date: date
    region: str
    categories: list[str]


class RegistryApplication(ServiceApplication):
    def __init__(self, settings: Settings, env: dict[str, str] | None = None) -> None:
        super().__init__(settings, env)
        # A keyed hash, so a stolen claim table cannot be matched against guessed ID numbers.
        self._id_hash_key = hashlib.sha256(b"vet.registry.id-hash:" + settings.effective_cipher_key.encode()).digest()

    def id_number_hash(self, id_number: str) -> str:
        return hmac.new(self._id_hash_key, id_number.encode(), hashlib.sha256).hexdigest()

    def register_person(self, registration: Registration, actor: dict[str, str]) -> UUID:
        id_hash = self.id_number_hash(registration.id_number)
        claim_id = IdNumberClaim.create_id(id_hash)
        existing = self.find_claim(claim_id)
        if existing is not None:
            raise AlreadyRegistered(existing)
        person = Person(
            id_number=registration.id_number,
            name=registration.name,
            sex=registration.sex,
            birth_date=registration.birth_date,
            region=registration.region,
            categories=registration.categories,
            actor=actor,
        )
        claim = IdNumberClaim(id_number_hash=id_hash, person_id=person.id)
        try:
            self.save(person, claim)
        except IntegrityError:
            # Someone registered the same number between our check and our save.
            winner = self.find_claim(claim_id)
            if winner is None:
                raise
            raise AlreadyRegistered(winner) from None
        return person.id

    def find_claim(self, claim_id: UUID) -> UUID | None:
        claim: IdNumberClaim | None = self.get_or_none(claim_id)
        return None if claim is None else claim.person_id

    def get_person(self, person_id: UUID) -> Person | None:
        return self.get_or_none(person_id)  # type: ignore[no-any-return]
