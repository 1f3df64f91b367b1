"""How the registry publishes on vet.registry.v1: its domain events -> the events of vet_contracts.registry.

Personal data stays in the registry: what is extracted here are person ids, region codes, categories, flags
and dates of record, never ID numbers, names, phone numbers or addresses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from registry import domain as _domain
from registry.domain import Person
from vet_common.translation import Publish, TranslationTable
from vet_contracts import PublicEvent
from vet_contracts import registry as public

SOURCE = "registry"
# @event("Registered") and the like create Person.Registered ... when the class is built, out of mypy's sight.
domain: Any = _domain


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


def person_event(event: type[PublicEvent], extra: Callable[[Any], Mapping[str, Any]] = lambda e: {}) -> Publish:
    """A person event carries the person's facts after it, and the person's region (events have none)."""
    return Publish(event, lambda e, person: {**facts(person), **extra(e)}, region=lambda e, person: person.region)


def updated(change: str, extra: Callable[[Any], Mapping[str, Any]] = lambda e: {}) -> Publish:
    return person_event(public.PersonUpdated, lambda e: {"change": change, **extra(e)})


TRANSLATIONS = TranslationTable(
    source=SOURCE,
    stateful=Person.Event,
    published={
        domain.Person.Registered: person_event(public.PersonRegistered),
        domain.Person.ProfileUpdated: updated("profile", lambda e: {"profile_dimensions": sorted(e.changes)}),
        domain.Person.ContactChanged: updated("contact"),
        domain.Person.ServiceRecordChanged: updated("service_record"),
        domain.Person.HonourAdded: updated("honour", lambda e: {"honour": e.honour["title"]}),
        domain.Person.PreferentialCardApplied: updated("preferential_card_applied"),
        domain.Person.MergedInto: updated("merged", lambda e: {"merged_into": e.survivor_id}),
        # status in the facts says whether the person is alive again (a death recorded in error)
        domain.Person.DeathCorrected: updated("death_corrected"),
        domain.Person.CategoriesChanged: person_event(public.CategoriesChanged),
        domain.Person.KeyContactDesignated: person_event(public.KeyContactDesignated, lambda e: {"reason": e.reason}),
        domain.Person.KeyContactRemoved: person_event(public.KeyContactRemoved, lambda e: {"reason": e.reason}),
        domain.Person.DisabilityAssessed: person_event(public.DisabilityAssessed, lambda e: {"cause": e.cause}),
        domain.Person.PreferentialCardIssued: person_event(
            public.CertificateIssued, lambda e: {"certificate": "preferential_card"}
        ),
        domain.Person.DisabilityCertificateReplaced: person_event(
            public.CertificateIssued, lambda e: {"certificate": "disability_certificate"}
        ),
        domain.Person.AnnualConfirmationRecorded: person_event(
            public.AnnualConfirmationRecorded, lambda e: {"year": e.year}
        ),
        domain.Person.Transferred: person_event(
            public.PersonTransferred,
            lambda e: {"transfer_id": e.transfer_id, "from_region": e.from_region, "to_region": e.to_region},
        ),
        domain.Person.Died: person_event(public.PersonDied, lambda e: {"died_on": e.died_on.isoformat()}),
        domain.Person.SurvivorLinked: person_event(
            public.SurvivorLinked,
            lambda e: {"veteran_id": e.veteran_id, "relation": e.relation, "category": e.category},
        ),
        domain.AlertOccasion.EligibilityAlertRaised: Publish(
            public.EligibilityAlertRaised,
            lambda e, _: {
                "person_id": e.person_id,
                "kind": e.kind,
                "occasion": e.occasion,
                "due_on": e.due_on.isoformat(),
            },
        ),
    },
    # The transfer workflow, payment accounts (personal data: other services read them only through the
    # registry's access-logged reveal), ID-number claims, the access log, duplicate cases and imports stay inside.
    internal={
        domain.Person.TransferRequested,
        domain.Person.TransferCancelled,
        domain.Person.PaymentAccountRecorded,
        domain.IdNumberClaim.Claimed,
        domain.Transfer.Requested,
        domain.Transfer.Accepted,
        domain.Transfer.Rejected,
        domain.DataAccess.PersonalDataRevealed,
        domain.DuplicateCase.Flagged,
        domain.DuplicateCase.Resolved,
        domain.ImportJob.Started,
        domain.ImportJob.BatchRecorded,
        domain.ImportJob.Finished,
    },
)
