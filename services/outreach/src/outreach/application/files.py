"""A person's contact file, as the commands of every part load it."""

from __future__ import annotations

from outreach.domain.schedule import ContactFile
from vet_common.eventstore import ServiceApplication
from vet_common.people import PersonReplica


def contact_file(application: ServiceApplication, person: PersonReplica) -> ContactFile:
    """The person's contact file, opened now (unsaved) if the registry's events have not opened one: a person
    who is not a key contact, or one designated before outreach kept files (counted from registration)."""
    file: ContactFile | None = application.get_or_none(ContactFile.create_id(person.person_id))
    if file is not None:
        return file
    key = bool(person.key_contact_reasons)
    return ContactFile(
        person_id=person.person_id,
        region=person.region,
        key_contact_reasons=person.key_contact_reasons,
        disability_level=person.disability_level,
        living=not person.deceased,
        key_contact_since=(getattr(person, "registered_on", None) or application.clock.today()) if key else None,
        registry_version=person.registry_version,
    )
