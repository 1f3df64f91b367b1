"""How the registry's person events change contact files and pairings.

Each reaction is saved with the event's Tracking (vet_common.policies), so a redelivered event changes nothing;
the file's `registry_version` also ignores an older event arriving late.

- Every person event: the file follows the facts the contact rules need. A person becomes subject to the
  rules the day they are designated a key contact (or registered as one) and leaves them when no reason is
  left or they die, so the due and overdue lists follow; a transfer moves the file, and so the person's due
  entry, to the new region (the old side no longer sees it).
- PersonDied ends the person's pairing (reason "deceased").
- PersonTransferred ends it (reason "transferred") and proposes the person to the receiving county.
- KeyContactRemoved, when no reason is left, ends it (reason "no_longer_key_contact").
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from outreach.domain.pairings import EndReason, Pairing
from outreach.domain.schedule import ContactFile
from vet_common.domain import CHINA, SYSTEM_ACTOR
from vet_common.eventstore import ServiceApplication
from vet_common.people import DECEASED, PERSON_EVENTS
from vet_common.policies import Policies
from vet_contracts import PublicEvent, registry

COUNTY = 6  # digits of a county's code: a transfer is proposed to the receiving county's staff

contact_files = Policies()


@contact_files.on(*PERSON_EVENTS)
def follow_person(application: ServiceApplication, person_event: PublicEvent) -> list[Any]:
    facts = person_event.data
    on = person_event.occurred_at.astimezone(CHINA).date()
    file: ContactFile | None = application.get_or_none(ContactFile.create_id(facts.person_id))
    key = bool(facts.key_contact_reasons)
    living = facts.status != DECEASED
    if file is None:
        if not key:
            return []  # nothing to schedule: a file opens with the first contact or designation
        return [
            ContactFile(
                person_id=facts.person_id,
                region=person_event.region,
                key_contact_reasons=list(facts.key_contact_reasons),
                disability_level=facts.disability_level,
                living=living,
                key_contact_since=on,
                registry_version=person_event.aggregate_version,
            )
        ]
    if person_event.aggregate_version <= file.registry_version:
        return []  # an older event arriving late
    since = (file.key_contact_since or on) if key else None
    followed = (person_event.region, list(facts.key_contact_reasons), facts.disability_level, living, since)
    current = (file.region, file.key_contact_reasons, file.disability_level, file.living, file.key_contact_since)
    if followed != current:
        file.follow(
            region=person_event.region,
            key_contact_reasons=list(facts.key_contact_reasons),
            disability_level=facts.disability_level,
            living=living,
            key_contact_since=since,
            registry_version=person_event.aggregate_version,
        )
    return [file, *_end_pairing(application, file, person_event)]


def _end_pairing(application: ServiceApplication, file: ContactFile, person_event: PublicEvent) -> list[Any]:
    reason: EndReason | None = None
    proposed_to = None
    if isinstance(person_event, registry.PersonDied):
        reason = EndReason.deceased
    elif isinstance(person_event, registry.PersonTransferred):
        reason, proposed_to = EndReason.transferred, person_event.data.to_region[:COUNTY]
    elif isinstance(person_event, registry.KeyContactRemoved) and not person_event.data.key_contact_reasons:
        reason = EndReason.no_longer_key_contact
    if reason is None or file.pairing is None:
        return []
    pairing: Pairing = application.get_or_none(UUID(file.pairing[0]))
    on = person_event.occurred_at.astimezone(CHINA).date()
    pairing.end(reason, on, SYSTEM_ACTOR, proposed_to=proposed_to)
    file.unpair(pairing_id=str(pairing.id))
    return [pairing]
