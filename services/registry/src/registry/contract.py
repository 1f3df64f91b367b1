"""Integration events the registry publishes on vet.registry.v1.

Personal data stays in the registry: events carry person ids, region codes, categories, flags and dates of
record, never ID numbers, names, phone numbers or addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from registry.domain import AlertOccasion, Person
from vet_common.events import IntegrationEvent, from_domain_event
from vet_common.eventstore import ServiceApplication
from vet_common.relay import Translator
from vet_common.states import AggregateStates

SOURCE = "registry"


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


EVENT_SCHEMAS: dict[str, type[BaseModel]] = {
    "PersonRegistered": PersonRegisteredData,
    "PersonUpdated": PersonUpdatedData,
    "CategoriesChanged": CategoriesChangedData,
    "KeyContactDesignated": KeyContactData,
    "KeyContactRemoved": KeyContactData,
    "DisabilityAssessed": DisabilityAssessedData,
    "CertificateIssued": CertificateIssuedData,
    "AnnualConfirmationRecorded": AnnualConfirmationData,
    "PersonTransferred": PersonTransferredData,
    "PersonDied": PersonDiedData,
    "SurvivorLinked": SurvivorLinkedData,
    "EligibilityAlertRaised": EligibilityAlertRaisedData,
}


def facts(person: Person) -> dict[str, Any]:
    return {
        "person_id": str(person.id),
        "categories": list(person.categories),
        "key_contact_reasons": person.standing_key_contact_reasons(),
        "status": person.status,
        "birth_year": person.birth_date.year,
        "sex": person.sex,
        "household": person.household,
        "disability_level": int(person.disability["level"]) if person.disability else None,
    }


# Person event -> (public type, data model, extra data from the event).
PERSON_EVENTS: dict[str, tuple[str, type[BaseModel], Callable[[Any], dict[str, Any]]]] = {
    "Registered": ("PersonRegistered", PersonRegisteredData, lambda e: {}),
    "ProfileUpdated": (
        "PersonUpdated",
        PersonUpdatedData,
        lambda e: {"change": "profile", "profile_dimensions": sorted(e.changes)},
    ),
    "ContactChanged": ("PersonUpdated", PersonUpdatedData, lambda e: {"change": "contact"}),
    "ServiceRecordChanged": ("PersonUpdated", PersonUpdatedData, lambda e: {"change": "service_record"}),
    "HonourAdded": ("PersonUpdated", PersonUpdatedData, lambda e: {"change": "honour", "honour": e.honour["title"]}),
    "PreferentialCardApplied": ("PersonUpdated", PersonUpdatedData, lambda e: {"change": "preferential_card_applied"}),
    "MergedInto": ("PersonUpdated", PersonUpdatedData, lambda e: {"change": "merged", "merged_into": e.survivor_id}),
    "CategoriesChanged": ("CategoriesChanged", CategoriesChangedData, lambda e: {}),
    "KeyContactDesignated": ("KeyContactDesignated", KeyContactData, lambda e: {"reason": e.reason}),
    "KeyContactRemoved": ("KeyContactRemoved", KeyContactData, lambda e: {"reason": e.reason}),
    "DisabilityAssessed": ("DisabilityAssessed", DisabilityAssessedData, lambda e: {"cause": e.cause}),
    "PreferentialCardIssued": (
        "CertificateIssued",
        CertificateIssuedData,
        lambda e: {"certificate": "preferential_card"},
    ),
    "DisabilityCertificateReplaced": (
        "CertificateIssued",
        CertificateIssuedData,
        lambda e: {"certificate": "disability_certificate"},
    ),
    "AnnualConfirmationRecorded": ("AnnualConfirmationRecorded", AnnualConfirmationData, lambda e: {"year": e.year}),
    "Transferred": (
        "PersonTransferred",
        PersonTransferredData,
        lambda e: {"transfer_id": e.transfer_id, "from_region": e.from_region, "to_region": e.to_region},
    ),
    "Died": ("PersonDied", PersonDiedData, lambda e: {"died_on": e.died_on.isoformat()}),
    # status in the facts says whether the person is alive again (a death recorded in error)
    "DeathCorrected": ("PersonUpdated", PersonUpdatedData, lambda e: {"change": "death_corrected"}),
    "SurvivorLinked": (
        "SurvivorLinked",
        SurvivorLinkedData,
        lambda e: {"veteran_id": e.veteran_id, "relation": e.relation, "category": e.category},
    ),
}
# Person events that stay inside the registry.
INTERNAL_PERSON_EVENTS = {"TransferRequested", "TransferCancelled"}


def translator(application: ServiceApplication) -> Translator:
    states = AggregateStates(application)

    def translate(domain_event: Any, position: int) -> IntegrationEvent | None:
        if isinstance(domain_event, AlertOccasion.Event):
            alert: Any = domain_event
            data = EligibilityAlertRaisedData(
                person_id=alert.person_id,
                kind=alert.kind,
                occasion=alert.occasion,
                due_on=alert.due_on.isoformat(),
            )
            return from_domain_event(domain_event, position, type="EligibilityAlertRaised", source=SOURCE, data=data)
        if not isinstance(domain_event, Person.Event):
            return None  # claims, transfers in progress, access log, duplicates, imports: internal
        name = type(domain_event).__name__
        person = states.after(domain_event)
        if name in INTERNAL_PERSON_EVENTS:
            return None
        public_type, model, extra = PERSON_EVENTS[name]
        data_model = model(**facts(person), **extra(domain_event))
        return from_domain_event(
            domain_event, position, type=public_type, source=SOURCE, data=data_model, region=person.region
        )

    return translate
