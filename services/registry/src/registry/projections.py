"""Registry read models in MongoDB: people (searchable), transfers, possible duplicates, alerts, access log,
imports. Each document is the state of its aggregate at the version it records."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from registry.domain import (
    AlertOccasion,
    DataAccess,
    DuplicateCase,
    IdNumberClaim,
    ImportJob,
    Person,
    Transfer,
)
from vet_common.domain import actor_from
from vet_common.eventstore import ServiceApplication
from vet_common.idnumber import mask_id_number, mask_phone
from vet_common.jurisdiction import region_keys
from vet_common.projector import ReadModelBatch
from vet_common.states import AggregateStates

TOWNSHIP_DIGITS = 9  # a village's township is the first 9 digits of its code
# The person events that change what an alert copies of its person: the region (the alert follows a transfer) and
# the status (it lapses with death or merger, and comes back when a death is corrected). Only these rewrite the
# person's alerts: an update_many on every other event (a profile, a contact, a confirmation) changed nothing.
MOVES_ALERTS: tuple[type, ...] = (
    Person.Transferred,  # type: ignore[attr-defined]
    Person.Died,  # type: ignore[attr-defined]
    Person.DeathCorrected,  # type: ignore[attr-defined]
    Person.MergedInto,  # type: ignore[attr-defined]
)


def person_document(person: Person, id_hash: str) -> dict[str, Any]:
    """What lists and searches need; the full record is read from the event store."""
    keys = region_keys(person.region)
    return {
        "name": person.name,
        # Equality on these arrays (multikey indexes) finds a jurisdiction or a name's beginning without
        # a range or regex scan, which the MongoDB-wire server we run locally does not narrow by index.
        "name_prefixes": [person.name[:n] for n in range(1, len(person.name) + 1)],
        "jurisdictions": keys,
        # Sparse facts a county may list by, each with every jurisdiction key: one equality on a multikey
        # index finds exactly the matching people of a jurisdiction, however large it is.
        "facets": [f"{key}|{fact}" for fact in sparse_facts(person) for key in keys],
        "id_hash": id_hash,
        "id_number_masked": mask_id_number(person.id_number),
        "phone_masked": mask_phone(person.phone) if person.phone else None,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity,
        "region": person.region,
        "household": person.household,
        "categories": list(person.categories),
        "status": str(person.status),
        "died_on": person.died_on.isoformat() if person.died_on else None,
        "disability_level": int(person.disability["level"]) if person.disability else None,
        "disability_certificate": (person.disability or {}).get("certificate_style", "none"),
        # Reasons that do not depend on today's date; "aged 80 or over" is decided at query time.
        "key_contact_reasons": person.standing_key_contact_reasons(),
        "preferential_card": person.preferential_card["status"],
        "confirmed_years": sorted(c["year"] for c in person.confirmations),
        "pending_transfer": person.pending_transfer,
        "merged_into": person.merged_into,
        "registered_at": person.created_on,
        "updated_at": person.modified_on,
    }


def sparse_facts(person: Person) -> list[str]:
    """The facts few people have: a disability level, deceased, merged (queries.SPARSE_FILTERS)."""
    facts = [f"status:{person.status}"] if person.status != "active" else []
    if person.disability:
        facts.append(f"disability:{int(person.disability['level'])}")
    return facts


class RegistryProjection:
    def __init__(self, application: ServiceApplication) -> None:
        self.application = application
        self.states = AggregateStates(application)

    async def setup(self, db: AsyncDatabase[Any]) -> None:
        # Only the indexes a query of queries.py, alert_scan.py or jobs.py starts with: each costs every write
        # (the multikey ones an entry per element), and the read models are rebuilt from the whole log.
        # A query's first field picks the index, and the jurisdiction key never comes first (it would match
        # a whole county): a jurisdiction is walked village by village instead.
        await db.persons.create_index([("name_prefixes", ASCENDING)])
        await db.persons.create_index([("id_hash", ASCENDING)])
        await db.persons.create_index([("facets", ASCENDING), ("region", ASCENDING), ("name", ASCENDING)])
        await db.persons.create_index([("region", ASCENDING), ("name", ASCENDING), ("_id", ASCENDING)])
        await db.persons.create_index([("name", ASCENDING), ("birth_date", ASCENDING)])
        await db.townships.create_index([("jurisdictions", ASCENDING)])
        await db.transfers.create_index([("to_jurisdictions", ASCENDING), ("status", ASCENDING)])
        await db.transfers.create_index([("from_jurisdictions", ASCENDING), ("status", ASCENDING)])
        await db.duplicates.create_index([("jurisdictions", ASCENDING), ("status", ASCENDING)])
        await db.alerts.create_index([("jurisdictions", ASCENDING), ("due_on", ASCENDING)])
        await db.alerts.create_index([("person_id", ASCENDING)])
        await db.access_log.create_index([("jurisdictions", ASCENDING), ("at", DESCENDING)])
        await db.access_log.create_index([("person_id", ASCENDING), ("at", DESCENDING)])

    @staticmethod
    def residents(batch: ReadModelBatch, village: str, position: int, change: int) -> None:
        # One document per township counting each of its villages: a batch of a county's roster touches
        # every village, and SecantusDB rewrites a document and all its index entries per update, so 10
        # townships cost 10 updates where 300 villages cost 300 (a third of the projection's server time).
        # A tally counts each event once (replay-safe), so a batch applied again does not move anyone twice.
        township = village[:TOWNSHIP_DIGITS]
        fields = {"jurisdictions": region_keys(township)}
        batch.tally("townships", township, position, {f"villages.{village}": change}, fields)

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, IdNumberClaim.Event):
            return  # a guard, not a read model
        state = self.states.after(event)
        doc_id = str(event.originator_id)
        version = event.originator_version
        if isinstance(state, Person):
            id_hash = self.application.id_number_hash(state.id_number)  # type: ignore[attr-defined]
            batch.put("persons", doc_id, version, person_document(state, id_hash))
            # How many live in each village: lists walk a township village by village (queries.villages_of).
            # A count, not the list of who: one small document however many live there, where a list grew
            # with the village and was rewritten whole on every batch that touched it.
            if version == 1:
                self.residents(batch, state.region, position, +1)
            elif isinstance(event, Person.Transferred):  # type: ignore[attr-defined]
                self.residents(batch, event.from_region, position, -1)  # type: ignore[attr-defined]
                self.residents(batch, state.region, position, +1)
            if isinstance(event, MOVES_ALERTS):
                batch.set_where(
                    "alerts",
                    {"person_id": doc_id},
                    {"region": state.region, "jurisdictions": region_keys(state.region), "person_status": state.status},
                )
        elif isinstance(state, Transfer):
            batch.put("transfers", doc_id, version, transfer_document(state))
        elif isinstance(state, DuplicateCase):
            batch.put(
                "duplicates",
                doc_id,
                version,
                {
                    "person_ids": state.person_ids,
                    "region": state.region,
                    "jurisdictions": region_keys(state.region),
                    "name": state.name,
                    "birth_date": state.birth_date.isoformat(),
                    "status": state.status,
                    "outcome": state.outcome,
                    "flagged_at": state.created_on,
                },
            )
        elif isinstance(state, AlertOccasion):
            batch.put(
                "alerts",
                doc_id,
                version,
                {
                    "person_id": state.person_id,
                    "region": state.region,
                    "jurisdictions": region_keys(state.region),
                    "kind": state.kind,
                    "occasion": state.occasion,
                    "due_on": state.due_on.isoformat(),
                    "message": state.message,
                    "raised_at": state.created_on,
                    "person_status": "active",
                },
            )
        elif isinstance(state, DataAccess):
            batch.put(
                "access_log",
                doc_id,
                version,
                {
                    "person_id": state.person_id,
                    "region": state.region,
                    "jurisdictions": region_keys(state.region),
                    "fields": state.fields,
                    "purpose": state.purpose,
                    "import_job_id": getattr(state, "import_job_id", None),
                    "actor": actor_from(state.actor).model_dump(),
                    "at": state.created_on,
                },
            )
        elif isinstance(state, ImportJob):
            batch.put("imports", doc_id, version, import_document(state))


def transfer_document(transfer: Transfer) -> dict[str, Any]:
    return {
        "person_id": transfer.person_id,
        "from_region": transfer.from_region,
        "to_region": transfer.to_region,
        "from_jurisdictions": region_keys(transfer.from_region),
        "to_jurisdictions": region_keys(transfer.to_region),
        "reason": transfer.reason,
        "status": transfer.status,
        "requested_by": actor_from(transfer.requested_by).model_dump(),
        "decided_by": actor_from(transfer.decided_by).model_dump() if transfer.decided_by else None,
        "decision_note": transfer.decision_note,
        "requested_at": transfer.created_on,
        "updated_at": transfer.modified_on,
    }


def import_document(job: ImportJob) -> dict[str, Any]:
    return {
        "filename": job.filename,
        "region": job.region,
        "actor": actor_from(job.actor).model_dump(),
        "status": job.status,
        "message": getattr(job, "message", ""),
        "rows": job.rows,
        "registered": job.registered,
        "already_registered": job.already_registered,
        "rejected_count": len(job.rejected),
        "started_at": job.created_on,
        "updated_at": job.modified_on,
    }
