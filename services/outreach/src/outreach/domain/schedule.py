"""A person's contact file (联系档案): what the contact rules need to know about one person, in one aggregate.

It follows the registry's facts that decide the rule (region, key-contact reasons, disability level, alive),
counts the contacts that satisfy it (withdrawn ones uncounted, corrected ones re-dated) and names the person's
open pairing, so a reaction to the person's death or transfer finds their pairing without a query.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Conflict, derived_id


class AlreadyPaired(Conflict):
    def __init__(self, pairing_id: str, staff: str) -> None:
        super().__init__(
            f"该人员已与 {staff} 结对，如需更换请使用改派 (already paired with {staff}: reassign the pairing instead)",
            pairing_id=pairing_id,
        )


class NotAKeyContact(Conflict):
    def __init__(self) -> None:
        super().__init__("该人员不是重点联系对象，无需结对 (not a key contact: only key contacts are paired)")


class ContactFile(Aggregate):
    @staticmethod
    def create_id(person_id: str) -> UUID:
        return derived_id("contact-file", person_id)

    class Opened(Aggregate.Created):
        person_id: str
        region: str
        key_contact_reasons: list[str]
        disability_level: int | None
        living: bool
        key_contact_since: date | None
        registry_version: int

    class Followed(Aggregate.Event):
        """The registry's facts about the person changed in a way the rules care about."""

        region: str
        key_contact_reasons: list[str]
        disability_level: int | None
        living: bool
        key_contact_since: date | None
        registry_version: int

    class Counted(Aggregate.Event):
        contact_id: str
        contacted_on: date
        home_visit: bool

    class Uncounted(Aggregate.Event):
        contact_id: str

    class Paired(Aggregate.Event):
        pairing_id: str
        staff: str

    class Unpaired(Aggregate.Event):
        pairing_id: str

    @event(Opened)
    def __init__(
        self,
        *,
        person_id: str,
        region: str,
        key_contact_reasons: list[str],
        disability_level: int | None,
        living: bool,
        key_contact_since: date | None,
        registry_version: int,
    ) -> None:
        self.person_id = person_id
        self.contacts: dict[str, tuple[date, bool]] = {}
        self.pairing: tuple[str, str] | None = None  # (pairing id, staff)
        self._follow(region, key_contact_reasons, disability_level, living, key_contact_since, registry_version)

    @event(Followed)
    def follow(
        self,
        *,
        region: str,
        key_contact_reasons: list[str],
        disability_level: int | None,
        living: bool,
        key_contact_since: date | None,
        registry_version: int,
    ) -> None:
        self._follow(region, key_contact_reasons, disability_level, living, key_contact_since, registry_version)

    def _follow(
        self,
        region: str,
        reasons: list[str],
        disability_level: int | None,
        living: bool,
        since: date | None,
        registry_version: int,
    ) -> None:
        self.region = region
        self.key_contact_reasons = list(reasons)
        self.disability_level = disability_level
        self.living = living
        self.key_contact_since = since
        self.registry_version = registry_version

    @property
    def under_rules(self) -> bool:
        """A living key contact: the contact rules apply, and they show in the due and overdue lists."""
        return self.living and bool(self.key_contact_reasons) and self.key_contact_since is not None

    # Contacts ----------------------------------------------------------------------------------------------

    @event(Counted)
    def count(self, *, contact_id: str, contacted_on: date, home_visit: bool) -> None:
        self.contacts[contact_id] = (contacted_on, home_visit)

    @event(Uncounted)
    def uncount(self, *, contact_id: str) -> None:
        self.contacts.pop(contact_id, None)

    @property
    def last_contact(self) -> date | None:
        return max((on for on, _ in self.contacts.values()), default=None)

    @property
    def last_home_visit(self) -> date | None:
        return max((on for on, home in self.contacts.values() if home), default=None)

    # Pairing -----------------------------------------------------------------------------------------------

    def ensure_pairable(self) -> None:
        if not self.under_rules:
            raise NotAKeyContact()
        if self.pairing is not None:
            raise AlreadyPaired(*self.pairing)

    @event(Paired)
    def pair(self, *, pairing_id: str, staff: str) -> None:
        self.pairing = (pairing_id, staff)

    @event(Unpaired)
    def unpair(self, *, pairing_id: str) -> None:
        if self.pairing and self.pairing[0] == pairing_id:
            self.pairing = None
