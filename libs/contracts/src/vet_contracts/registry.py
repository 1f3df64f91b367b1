"""Integration events the registry publishes on vet.registry.v1.

Personal data stays in the registry: events carry person ids, region codes, categories, flags and dates of
record, never ID numbers, names, phone numbers or addresses.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from vet_contracts.envelope import PublicEvent

# The vocabularies of PersonFacts' lists, as the registry spells them (its Category and KeyContactReason enums;
# tests/test_contract.py keeps them equal), so a consumer can check a rule that names them.
# Each category with its official Chinese name, as screens and reports show it.
CATEGORY_NAMES: dict[str, str] = {
    "transferred_officer": "军队转业干部",
    "discharged_soldier": "退役士兵",
    "retired_cadre": "军队离休退休干部和退休士官",
    "civilian_retiree": "无军籍离退休退职职工",
    "demobilized_soldier": "复员军人",
    "red_army_veteran": "退伍红军老战士和红军失散人员",
    "disabled_soldier": "残疾军人",
    "disabled_militia": "伤残民兵民工",
    "martyr_survivor": "烈士遗属",
    "duty_death_survivor": "因公牺牲军人遗属",
    "illness_death_survivor": "病故军人遗属",
    "active_duty_family": "现役军人家属",
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_NAMES)
KEY_CONTACT_REASONS: tuple[str, ...] = (
    "aged_80_or_over",
    "severely_disabled",
    "martyr_survivor",
    "meritorious",
    "meritorious_model",
    "extremely_poor",
    "unemployed",
    "living_in_difficulty",
    "widowed_orphaned_alone",
    "other",
)


class PersonFacts(BaseModel):
    """What every person event says about the person after the change, so a consumer needs no history."""

    person_id: str
    categories: list[str]
    key_contact_reasons: list[str]
    status: str
    birth_year: int
    sex: str
    household: str | None
    disability_level: int | None


class PersonRegisteredData(PersonFacts):
    """data of PersonRegistered (schema_version 1)."""


class PersonUpdatedData(PersonFacts):
    """data of PersonUpdated: which non-personal part changed (profile, contact, service record, honours ...)."""

    change: str
    honour: str | None = None
    profile_dimensions: list[str] = []
    merged_into: str | None = None


class CategoriesChangedData(PersonFacts):
    """data of CategoriesChanged."""


class KeyContactData(PersonFacts):
    """data of KeyContactDesignated and KeyContactRemoved."""

    reason: str


class DisabilityAssessedData(PersonFacts):
    """data of DisabilityAssessed."""

    cause: str


class CertificateIssuedData(PersonFacts):
    """data of CertificateIssued: the preferential-treatment card or a new-style disability certificate."""

    certificate: str


class AnnualConfirmationData(PersonFacts):
    """data of AnnualConfirmationRecorded."""

    year: int


class PersonTransferredData(PersonFacts):
    """data of PersonTransferred: open work (pairings, requests, applications) moves with the person."""

    transfer_id: str
    from_region: str
    to_region: str


class PersonDiedData(PersonFacts):
    """data of PersonDied: payments and pairings stop."""

    died_on: str


class SurvivorLinkedData(PersonFacts):
    """data of SurvivorLinked: this person is a survivor of `veteran_id`."""

    veteran_id: str
    relation: str
    category: str


class EligibilityAlertRaisedData(BaseModel):
    """data of EligibilityAlertRaised: the person becomes eligible for something soon."""

    person_id: str
    kind: str
    occasion: str
    due_on: str


class PersonRegistered(PublicEvent):
    """A person is registered (一人一档)."""

    type: Literal["PersonRegistered"]
    data: PersonRegisteredData


class PersonUpdated(PublicEvent):
    """A non-personal part of a person's record changed; `data.change` says which."""

    type: Literal["PersonUpdated"]
    data: PersonUpdatedData


class CategoriesChanged(PublicEvent):
    """The person's categories changed."""

    type: Literal["CategoriesChanged"]
    data: CategoriesChangedData


class KeyContactDesignated(PublicEvent):
    """The person is designated a key contact (重点联系对象) for `data.reason`."""

    type: Literal["KeyContactDesignated"]
    data: KeyContactData


class KeyContactRemoved(PublicEvent):
    """A key-contact designation for `data.reason` is removed."""

    type: Literal["KeyContactRemoved"]
    data: KeyContactData


class DisabilityAssessed(PublicEvent):
    """The person's disability was assessed."""

    type: Literal["DisabilityAssessed"]
    data: DisabilityAssessedData


class CertificateIssued(PublicEvent):
    """A certificate was issued to the person."""

    type: Literal["CertificateIssued"]
    data: CertificateIssuedData


class AnnualConfirmationRecorded(PublicEvent):
    """The yearly confirmation of the person's record."""

    type: Literal["AnnualConfirmationRecorded"]
    data: AnnualConfirmationData


class PersonTransferred(PublicEvent):
    """The person moved to another jurisdiction; the envelope's region is the new one."""

    type: Literal["PersonTransferred"]
    data: PersonTransferredData


class PersonDied(PublicEvent):
    """The person died on `data.died_on`."""

    type: Literal["PersonDied"]
    data: PersonDiedData


class SurvivorLinked(PublicEvent):
    """The person is linked as a survivor of a veteran."""

    type: Literal["SurvivorLinked"]
    data: SurvivorLinkedData


class EligibilityAlertRaised(PublicEvent):
    """The daily run found the person becomes eligible for something soon."""

    type: Literal["EligibilityAlertRaised"]
    data: EligibilityAlertRaisedData


EVENTS: tuple[type[PublicEvent], ...] = (
    PersonRegistered,
    PersonUpdated,
    CategoriesChanged,
    KeyContactDesignated,
    KeyContactRemoved,
    DisabilityAssessed,
    CertificateIssued,
    AnnualConfirmationRecorded,
    PersonTransferred,
    PersonDied,
    SurvivorLinked,
    EligibilityAlertRaised,
)
