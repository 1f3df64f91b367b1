"""Registry commands: one named method per use case; each loads, asks the domain, saves in one transaction."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from registry.domain import (
    AlertOccasion,
    DataAccess,
    DuplicateCase,
    IdNumberClaim,
    ImportJob,
    PaymentAccount,
    Person,
    PersonStatus,
    Registration,
    Transfer,
)
from vet_common.auth import Principal
from vet_common.domain import Actor, Conflict, Invalid, NotFound, Refused, actor_from, ensure_version
from vet_common.eventstore import ServiceApplication
from vet_common.settings import Settings

NO_SUCH_PERSON = "查无此人或不在本辖区 (no such person in your jurisdiction)"


class AlreadyRegistered(Conflict):
    """The ID number already has an active record; the answer names it."""

    def __init__(self, existing_id: UUID) -> None:
        super().__init__(
            "该身份证号码已有在册档案，请勿重复登记 (this ID number is already registered)",
            existing_id=str(existing_id),
        )
        self.existing_id = existing_id


@dataclass
class BatchOutcome:
    registered: list[UUID] = field(default_factory=list)
    already_registered: list[tuple[int, UUID]] = field(default_factory=list)


class RegistryApplication(ServiceApplication):
    def __init__(self, settings: Settings, env: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(settings, env, **kwargs)
        # A keyed hash, so a stolen claim table cannot be matched against guessed ID numbers.
        self._id_hash_key = hashlib.sha256(b"vet.registry.id-hash:" + settings.effective_cipher_key.encode()).digest()

    def id_number_hash(self, id_number: str) -> str:
        return hmac.new(self._id_hash_key, id_number.encode(), hashlib.sha256).hexdigest()

    # Registration ---------------------------------------------------------------------------------------------

    def register_person(self, registration: Registration, actor: Actor) -> UUID:
        """Raises AlreadyRegistered naming the existing record when the ID number has one."""
        outcome = self.register_batch([(0, registration)], actor)
        if outcome.already_registered:
            raise AlreadyRegistered(outcome.already_registered[0][1])
        return outcome.registered[0]

    def register_batch(
        self,
        rows: list[tuple[int, Registration]],
        actor: Actor,
        import_job_id: str | None = None,
        also_save: Callable[[BatchOutcome], list[Any]] | None = None,
    ) -> BatchOutcome:
        """Register many people in one transaction; rows whose ID number already has a record are reported.

        First optimistically, without reading anything (a new roster has no conflicts, which makes imports
        fast); on a conflict, again reading the ID claims first; on a conflict even then
        (a concurrent registration), one row at a time. `also_save` adds aggregates to the same transaction
        (an import's progress), built from the outcome.
        """
        for read_first in (False, True):
            try:
                return self._register(rows, actor, import_job_id, read_first, also_save)
            except IntegrityError:
                if read_first and len(rows) == 1 and also_save is None:
                    raise
        outcome = BatchOutcome()
        for row in rows:
            single = self.register_batch([row], actor, import_job_id)
            outcome.registered += single.registered
            outcome.already_registered += single.already_registered
        if also_save:
            self.save(*also_save(outcome))
        return outcome

    def _register(
        self,
        rows: list[tuple[int, Registration]],
        actor: Actor,
        import_job_id: str | None,
        read_first: bool,
        also_save: Callable[[BatchOutcome], list[Any]] | None,
    ) -> BatchOutcome:
        outcome = BatchOutcome()
        to_save: list[Any] = []
        claimed: dict[UUID, UUID] = {}
        for row_number, registration in rows:
            id_hash = self.id_number_hash(registration.id_number)
            claim_id = IdNumberClaim.create_id(id_hash)
            existing = claimed.get(claim_id) or (self.find_claim(claim_id) if read_first else None)
            if existing is not None:
                outcome.already_registered.append((row_number, existing))
                continue
            person = Person(**registration.as_arguments(), actor=actor, import_job_id=import_job_id)
            claimed[claim_id] = person.id
            to_save += [person, IdNumberClaim(id_number_hash=id_hash, person_id=person.id)]
            outcome.registered.append(person.id)
        extra = also_save(outcome) if also_save else []
        if to_save or extra:
            # Their events straight to the store: `save` checks each object against two runtime protocols,
            # 15-20 µs of CPU an aggregate on Python 3.11, two aggregates a row (a tenth of an import's time).
            self.save_events([event for aggregate in (*to_save, *extra) for event in aggregate.collect_events()])
        return outcome

    def find_claim(self, claim_id: UUID) -> UUID | None:
        claim: IdNumberClaim | None = self.get_or_none(claim_id)
        return None if claim is None else claim.person_id

    def find_by_id_number(self, id_number: str) -> UUID | None:
        return self.find_claim(IdNumberClaim.create_id(self.id_number_hash(id_number)))

    # Keeping a record up to date ------------------------------------------------------------------------------

    def get_person(self, person_id: UUID) -> Person | None:
        return self.get_or_none(person_id)  # type: ignore[no-any-return]

    def person(self, person_id: UUID, expected_version: int | None = None) -> Person:
        """The person to change; PreconditionFailed when the caller saw another version (If-Match)."""
        person = self.get_person(person_id)
        if person is None:
            raise NotFound(NO_SUCH_PERSON)
        ensure_version(person.version, expected_version, "档案")
        return person

    def update_profile(
        self,
        person_id: UUID,
        changes: dict[str, str],
        actor: Actor,
        correction: str | None,
        expected_version: int | None = None,
    ) -> Person:
        person = self.person(person_id, expected_version)
        person.update_profile(changes, actor, correction)
        return self._saved(person)

    def change_contact(
        self,
        person_id: UUID,
        phone: str | None,
        address: str | None,
        actor: Actor,
        correction: str | None,
        expected_version: int | None = None,
    ) -> Person:
        person = self.person(person_id, expected_version)
        person.change_contact(phone, address, actor, correction)
        return self._saved(person)

    def change_categories(
        self,
        person_id: UUID,
        categories: list[str],
        actor: Actor,
        correction: str | None,
        expected_version: int | None = None,
    ) -> Person:
        person = self.person(person_id, expected_version)
        person.change_categories(list(dict.fromkeys(categories)), actor, correction)
        return self._saved(person)

    def change_service_record(
        self,
        person_id: UUID,
        service: dict[str, Any],
        actor: Actor,
        correction: str | None,
        expected_version: int | None = None,
    ) -> Person:
        person = self.person(person_id, expected_version)
        person.change_service_record(service, actor, correction)
        return self._saved(person)

    def add_honour(
        self,
        person_id: UUID,
        honour: dict[str, Any],
        actor: Actor,
        correction: str | None,
        expected_version: int | None = None,
    ) -> Person:
        person = self.person(person_id, expected_version)
        person.add_honour(honour, actor, correction)
        return self._saved(person)

    def assess_disability(
        self,
        person_id: UUID,
        level: int,
        cause: str,
        certificate_no: str,
        actor: Actor,
        correction: str | None,
        expected_version: int | None = None,
    ) -> Person:
        person = self.person(person_id, expected_version)
        person.assess_disability(level, cause.strip(), certificate_no.strip(), actor, correction)
        return self._saved(person)

    def designate_key_contact(
        self, person_id: UUID, reason: str, note: str, actor: Actor, expected_version: int | None = None
    ) -> Person:
        person = self.person(person_id, expected_version)
        person.designate_key_contact(reason, note, actor)
        return self._saved(person)

    def remove_key_contact(
        self, person_id: UUID, reason: str, note: str, actor: Actor, expected_version: int | None = None
    ) -> Person:
        person = self.person(person_id, expected_version)
        person.remove_key_contact(reason, note, actor)
        return self._saved(person)

    def record_payment_account(
        self, person_id: UUID, bank: str, number: str, reason: str, actor: Actor, expected_version: int | None = None
    ) -> Person:
        """Record (or change) where the person's payments go (发放账户); the earlier account stays in the history.
        An impossible account is refused on its field before the record is read."""
        account = PaymentAccount(bank, number)
        person = self.person(person_id, expected_version)
        person.record_payment_account(account, reason, actor)
        return self._saved(person)

    def apply_for_preferential_card(self, person_id: UUID, actor: Actor, expected_version: int | None = None) -> Person:
        person = self.person(person_id, expected_version)
        person.apply_for_preferential_card(actor)
        return self._saved(person)

    def issue_preferential_card(
        self, person_id: UUID, card_no: str, issued_on: date | None, actor: Actor, expected_version: int | None = None
    ) -> Person:
        if issued_on is not None and issued_on > self.clock.today():
            raise Invalid("date", "发证日期不能晚于今天 (the card cannot be issued on a future date)")
        person = self.person(person_id, expected_version)
        person.issue_preferential_card(card_no, issued_on or self.clock.today(), actor)
        return self._saved(person)

    def replace_disability_certificate(
        self, person_id: UUID, certificate_no: str, actor: Actor, expected_version: int | None = None
    ) -> Person:
        person = self.person(person_id, expected_version)
        person.replace_disability_certificate(certificate_no, actor)
        return self._saved(person)

    def record_annual_confirmation(
        self, person_id: UUID, year: int, note: str, actor: Actor, expected_version: int | None = None
    ) -> Person:
        today = self.clock.today()
        if year > today.year:
            raise Invalid("year", "不能确认未来年度 (cannot confirm a future year)")
        person = self.person(person_id, expected_version)
        person.record_annual_confirmation(year, today, note, actor)
        return self._saved(person)

    def link_survivor(
        self,
        person_id: UUID,
        veteran_id: UUID,
        relation: str,
        category: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Person:
        person = self.person(person_id, expected_version)
        veteran_registered = self.get_person(veteran_id) is not None
        person.link_survivor(str(veteran_id), relation, category, actor, veteran_registered=veteran_registered)
        return self._saved(person)

    def record_death(self, person_id: UUID, died_on: date, actor: Actor, expected_version: int | None = None) -> Person:
        self._check_not_future(died_on)
        person = self.person(person_id, expected_version)
        person.record_death(died_on, actor)
        return self._saved(person)

    def correct_death(
        self, person_id: UUID, died_on: date | None, reason: str, actor: Actor, expected_version: int | None = None
    ) -> Person:
        """An officer's correction: another date of death, or (None) the death was recorded in error."""
        if died_on is not None:
            self._check_not_future(died_on)
        person = self.person(person_id, expected_version)
        person.correct_death(died_on, reason, actor)
        return self._saved(person)

    def _check_not_future(self, died_on: date) -> None:
        if died_on > self.clock.today():
            raise Invalid("date", "去世日期不能晚于今天 (date of death cannot be in the future)")

    def _saved(self, person: Person) -> Person:
        self.save(person)
        return person

    def reveal(self, person: Person, fields: list[str], purpose: str, actor: Actor) -> None:
        """Record that `actor` read `fields` of the record in clear, and why (the access log)."""
        self.save(
            DataAccess(person_id=str(person.id), region=person.region, fields=fields, purpose=purpose, actor=actor)
        )

    def reveal_many(
        self, person_ids: list[UUID], fields: list[str], purpose: str, actor: Actor, principal: Principal
    ) -> list[Person]:
        """The people among `person_ids` the caller may see, each read recorded as `reveal` records one, all in
        one transaction (a bank file's hundreds of reads are one save, not hundreds)."""
        people = [person for person in map(self.get_person, dict.fromkeys(person_ids)) if person is not None]
        people = [person for person in people if principal.can_see(person.region)]
        accesses = [
            DataAccess(person_id=str(p.id), region=p.region, fields=fields, purpose=purpose, actor=actor)
            for p in people
        ]
        if accesses:
            self.save(*accesses)
        return people

    def reveal_rejected_rows(self, job_id: UUID, purpose: str, actor: Actor, may_correct_any: bool) -> ImportJob:
        """The rows an import rejected, as uploaded, so they can be corrected and imported again: only for who
        uploaded the file or an officer of its region (`may_correct_any`), and recorded like any reveal."""
        job = self.get_import_job(job_id)
        if job is None:
            raise NotFound("查无此导入任务 (no such import in your jurisdiction)")
        if not may_correct_any and actor_from(job.actor).sub != actor.sub:
            raise Refused(
                "只有上传该文件的人员或业务科室人员可以下载未打码的行 "
                "(only the uploader or an officer may see the rows in clear)"
            )
        self.save(
            DataAccess(
                person_id="",
                region=job.region,
                fields=["id_number", "phone"],
                purpose=purpose,
                actor=actor,
                import_job_id=str(job_id),
            )
        )
        return job

    # Transfers --------------------------------------------------------------------------------------------------

    def request_transfer(self, person_id: UUID, to_region: str, reason: str, actor: Actor) -> UUID:
        person = self.person(person_id)
        transfer = Transfer(
            person_id=str(person.id), from_region=person.region, to_region=to_region, reason=reason, actor=actor
        )
        person.request_transfer(transfer_id=str(transfer.id), to_region=to_region, actor=actor)
        self.save(transfer, person)
        return transfer.id

    def get_transfer(self, transfer_id: UUID) -> Transfer | None:
        return self.get_or_none(transfer_id)  # type: ignore[no-any-return]

    def accept_transfer(self, transfer_id: UUID, note: str, actor: Actor) -> Transfer:
        """The receiving side takes the person over: the record's region changes."""
        transfer, person = self._pending_transfer(transfer_id)
        transfer.accept(actor=actor)
        person.complete_transfer(transfer_id=str(transfer.id), to_region=transfer.to_region, actor=actor)
        self.save(transfer, person)
        return transfer

    def reject_transfer(self, transfer_id: UUID, note: str, actor: Actor) -> Transfer:
        transfer, person = self._pending_transfer(transfer_id)
        transfer.reject(note=note, actor=actor)
        person.cancel_transfer(transfer_id=str(transfer.id), actor=actor)
        self.save(transfer, person)
        return transfer

    def _pending_transfer(self, transfer_id: UUID) -> tuple[Transfer, Person]:
        transfer = self.get_transfer(transfer_id)
        if transfer is None:
            raise NotFound("查无此迁移申请 (no such transfer in your jurisdiction)")
        transfer.check_pending()
        return transfer, self.person(UUID(transfer.person_id))

    # Duplicates -------------------------------------------------------------------------------------------------

    def flag_possible_duplicate(self, person_ids: list[str], region: str, name: str, birth_date: date) -> bool:
        """Open a review case for records with one name and birth date; once per set of records."""
        case_id = DuplicateCase.create_id(person_ids)
        if self.get_or_none(case_id) is not None:
            return False
        self.save(DuplicateCase(person_ids=sorted(person_ids), region=region, name=name, birth_date=birth_date))
        return True

    def get_duplicate_case(self, case_id: UUID) -> DuplicateCase | None:
        return self.get_or_none(case_id)  # type: ignore[no-any-return]

    def merge_duplicates(self, case_id: UUID, keep_id: UUID | None, note: str, actor: Actor) -> None:
        """The records are one person: the others are merged into `keep_id`."""
        case = self._duplicate_case(case_id)
        case.check_open()  # before the records: a merged record would refuse with the wrong reason
        if keep_id is None or str(keep_id) not in case.person_ids:
            raise Invalid("keep_id", "请选择要保留的档案，须为疑似重复的其中一条 (keep_id must be one of the records)")
        merged = [self.person(UUID(other)) for other in case.person_ids if other != str(keep_id)]
        for person in merged:
            person.merge_into(survivor_id=str(keep_id), actor=actor)
        case.resolve(outcome="same_person", kept_id=str(keep_id), note=note, actor=actor)
        self.save(case, *merged)

    def close_as_different_people(self, case_id: UUID, note: str, actor: Actor) -> None:
        case = self._duplicate_case(case_id)
        case.resolve(outcome="different_people", kept_id=None, note=note, actor=actor)
        self.save(case)

    def _duplicate_case(self, case_id: UUID) -> DuplicateCase:
        case = self.get_duplicate_case(case_id)
        if case is None:
            raise NotFound("查无此疑似重复记录 (no such case in your jurisdiction)")
        return case

    # Alerts -----------------------------------------------------------------------------------------------------

    def raise_alerts(self, alerts: Iterable[dict[str, Any]]) -> int:
        """Raise each alert once: its id is derived from the person, the kind and the occasion.

        The alerts come from a scan of the read model, which may lag the record: the region is the person's as
        recorded now (a transfer just completed moves the alert with them), and someone who died or was merged
        since gets none."""
        new = []
        for alert in alerts:
            if self.get_or_none(AlertOccasion.create_id(alert["person_id"], alert["kind"], alert["occasion"])):
                continue
            person = self.get_or_none(UUID(alert["person_id"]))
            if isinstance(person, Person) and person.status == PersonStatus.active:
                new.append(AlertOccasion(**{**alert, "region": person.region}))
        if new:
            self.save(*new)
        return len(new)

    # Imports ----------------------------------------------------------------------------------------------------

    def get_import_job(self, job_id: UUID) -> ImportJob | None:
        return self.get_or_none(job_id)  # type: ignore[no-any-return]

    def start_import(self, filename: str, file_hash: str, region: str, actor: Actor) -> UUID:
        job = ImportJob(filename=filename, file_hash=file_hash, region=region, actor=actor)
        self.save(job)
        return job.id

    def import_batch(
        self, job_id: UUID, rows: list[tuple[int, Registration]], rejected: list[dict[str, Any]], next_row: int
    ) -> None:
        """Register a batch and record the job's progress in the same transaction: a crash never double-counts."""

        def progress(outcome: BatchOutcome) -> list[Any]:
            job = self.get_import_job(job_id)  # fresh each attempt: a failed attempt leaves nothing behind
            assert job is not None
            job.record_batch(
                next_row=next_row,
                registered=len(outcome.registered),
                already_registered=len(outcome.already_registered),
                rejected=rejected,
            )
            return [job]

        job = self.get_import_job(job_id)
        assert job is not None
        self.register_batch(rows, job.actor, str(job_id), also_save=progress)

    def finish_import(self, job_id: UUID, status: str, message: str = "") -> None:
        job = self.get_import_job(job_id)
        assert job is not None
        job.finish(status=status, message=message)
        self.save(job)

    # History ----------------------------------------------------------------------------------------------------

    def person_events(self, person_id: UUID) -> list[Any]:
        return list(self.events.get(person_id))

    def person_as_of(self, person_id: UUID, as_of: datetime) -> Person | None:
        version = None
        for domain_event in self.events.get(person_id):
            if domain_event.timestamp > as_of:  # type: ignore[attr-defined]
                break
            version = domain_event.originator_version
        if version is None:
            return None
        return self.repository.get(person_id, version=version)  # type: ignore[no-any-return]
