"""Reporting's application: appends every received integration event to the audit archive, once, and seals it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from reporting.domain.archive import (
    ARCHIVE_ID,
    GENESIS_HASH,
    SEALS_ID,
    ArchiveSealed,
    ChainCheck,
    EntryArchived,
    EventReceived,
    Unreadable,
    Verdict,
    chain_hashes,
    entry_hash,
    receipt_id,
    seal_mac,
)
from reporting.domain.reports import ReportApproval, report_id
from reporting.receipts import existing_streams
from reporting.writer import ArchiveWriterLock
from vet_common.domain import Actor, NotFound
from vet_common.eventstore import ServiceApplication
from vet_contracts import IntegrationEvent

PAGE = 1000


class ReportingApplication(ServiceApplication):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One writer of the archive's head at a time, across processes (reporting.writer), which reads the head
        # and the last seal afresh each time: another worker may have moved them. Should anything else write
        # meanwhile, the store's unique (stream, version) key refuses the batch and it is hashed again.
        self._writer = ArchiveWriterLock(self.settings)

    def close(self) -> None:
        self._writer.close()
        super().close()

    # Archiving -------------------------------------------------------------------------------------------------

    def archive(self, event: IntegrationEvent) -> bool:
        """Archive `event`; False if its event id was archived already."""
        return self.archive_batch([event]) == 1

    def archive_batch(self, events: Sequence[IntegrationEvent], attempts: int = 5) -> int:
        """Archive the events not archived yet, in the order given, in one transaction; how many were new."""
        with self._writer.held():
            for attempt in range(attempts):
                fresh, receipts = self._not_archived(events)
                if not fresh:
                    return 0
                position, previous = self._load_head()
                now = self.clock.now()
                envelopes = [event.canonical_body() for event in fresh]  # the contract's form: no empty later fields
                new: list[Any] = []
                for event, envelope, digest in zip(
                    fresh, envelopes, chain_hashes(position, previous, now, envelopes), strict=True
                ):
                    position += 1
                    new.append(
                        EntryArchived(
                            originator_id=ARCHIVE_ID,
                            originator_version=position,
                            timestamp=now,
                            position=position,
                            envelope=envelope,
                            previous_hash=previous,
                            hash=digest,
                        )
                    )
                    new.append(
                        EventReceived(
                            originator_id=receipts[event.event_id],
                            originator_version=1,
                            timestamp=now,
                            event_id=event.event_id,
                            position=position,
                        )
                    )
                    previous = digest
                seal = self._seal_event((position, previous), due_only=True)
                try:
                    self.events.put([*new, *([seal] if seal else [])])
                except IntegrityError:
                    # Another writer archived meanwhile, without the lock: its head is ours now.
                    if attempt == attempts - 1:
                        raise
                    continue
                return len(fresh)
        return 0

    def _not_archived(self, events: Sequence[IntegrationEvent]) -> tuple[list[IntegrationEvent], dict[str, UUID]]:
        unique: dict[str, IntegrationEvent] = {}
        for event in events:
            unique.setdefault(event.event_id, event)  # a redelivery within the batch: the first copy
        receipts = {event_id: receipt_id(event_id) for event_id in unique}
        archived = existing_streams(self.recorder, list(receipts.values()))
        return [event for event_id, event in unique.items() if receipts[event_id] not in archived], receipts

    def archived(self) -> int:
        """How many entries the archive holds (its head's position), read from the store."""
        return self._load_head()[0]

    def _load_head(self) -> tuple[int, str]:
        last = self.recorder.select_events(ARCHIVE_ID, desc=True, limit=1)
        if not last:
            return 0, GENESIS_HASH
        entry = self.mapper.to_domain_event(last[0])
        assert isinstance(entry, EntryArchived)
        return entry.originator_version, entry.hash

    def _load_last_seal(self) -> tuple[int, int, str]:
        last = self.recorder.select_events(SEALS_ID, desc=True, limit=1)
        if not last:
            return 0, 0, ""
        seal = self.mapper.to_domain_event(last[0])
        assert isinstance(seal, ArchiveSealed)
        return seal.originator_version, seal.position, seal.mac

    def _seal_event(self, head: tuple[int, str], due_only: bool) -> ArchiveSealed | None:
        number, sealed, previous_mac = self._load_last_seal()
        position, head_hash = head
        if position <= sealed or (due_only and position - sealed < self.settings.archive_seal_every):
            return None
        now = self.clock.now()
        key = self.settings.effective_archive_seal_key
        return ArchiveSealed(
            originator_id=SEALS_ID,
            originator_version=number + 1,
            timestamp=now,
            position=position,
            head_hash=head_hash,
            previous_mac=previous_mac,
            mac=seal_mac(key, number + 1, position, head_hash, previous_mac, now),
        )

    def seal(self) -> ArchiveSealed | None:
        """Seal the head if anything arrived since the last seal (the worker does this every few seconds)."""
        with self._writer.held():
            seal = self._seal_event(self._load_head(), due_only=False)
            if seal is None:
                return None
            try:
                self.events.put([seal])
            except IntegrityError:
                return None  # another process sealed first; the next round seals what is left
            return seal

    # Reading ---------------------------------------------------------------------------------------------------

    def entries(self, after: int = 0) -> Iterator[EntryArchived]:
        """The archive in arrival order, read a page at a time."""
        while stored := self.recorder.select_events(ARCHIVE_ID, gt=after, limit=PAGE):
            for record in stored:
                entry = self.mapper.to_domain_event(record)
                assert isinstance(entry, EntryArchived)
                yield entry
            after = stored[-1].originator_version

    def verify_archive(self) -> Verdict:
        """Check the whole chain and every seal; the verdict says where it is broken."""
        seals = []
        for record in self.recorder.select_events(SEALS_ID):
            seal = self.mapper.to_domain_event(record)
            assert isinstance(seal, ArchiveSealed)
            seals.append(seal)
        check = ChainCheck(seals, self.settings.effective_archive_seal_key)
        after = 0
        while stored := self.recorder.select_events(ARCHIVE_ID, gt=after, limit=PAGE):
            for record in stored:
                entry: EntryArchived | Unreadable
                try:
                    entry = cast(EntryArchived, self.mapper.to_domain_event(record))
                except Exception:  # undecryptable or undecodable bytes: tampered, not a bug of ours
                    entry = Unreadable()
                check.entry(record.originator_version, entry)
            after = stored[-1].originator_version
        return check.finish()

    def entry_at(self, position: int) -> EntryArchived | None:
        stored = self.recorder.select_events(ARCHIVE_ID, gt=position - 1, lte=position)
        if not stored:
            return None
        entry = self.mapper.to_domain_event(stored[0])
        assert isinstance(entry, EntryArchived)
        return entry

    def entry_matches(self, position: int, digest: str) -> bool:
        """Whether the archive's entry at `position` is intact and has hash `digest` (what a listing shows)."""
        try:
            entry = self.entry_at(position)
        except Exception:  # unreadable: altered
            return False
        return (
            entry is not None
            and entry.hash == digest
            and entry_hash(entry.position, entry.previous_hash, entry.timestamp, entry.envelope) == digest
        )

    def entries_match(self, listed: list[tuple[int, str]]) -> bool:
        """Whether every listed (position, hash) is intact in the archive: a page's check in one call."""
        return all(self.entry_matches(position, digest) for position, digest in listed)

    # Report approval -------------------------------------------------------------------------------------------

    def submit_report(self, topic: str, region: str, period: str, figures: dict[str, Any], actor: Actor) -> UUID:
        """A county submits a period's figures (上报); after a return it submits them again."""
        report = self.get_or_none(report_id(topic, region, period))
        if report is None:
            report = ReportApproval(topic=topic, region=region, period=period, figures=figures, actor=actor)
        else:
            report.resubmit(figures, actor)
        self.save(report)
        return report.id  # type: ignore[no-any-return]

    def get_report(self, report: UUID) -> ReportApproval | None:
        found = self.get_or_none(report)
        return found if isinstance(found, ReportApproval) else None

    def _decided(self, report: UUID) -> ReportApproval:
        found = self.get_report(report)
        if found is None:
            raise NotFound("查无此报表 (no such report)")
        return found

    def approve_report(self, report: UUID, actor: Actor) -> None:
        """The city approves (审核通过): the figures are locked."""
        found = self._decided(report)
        found.approve(actor)
        self.save(found)

    def return_report(self, report: UUID, actor: Actor, reason: str) -> None:
        """The city returns the report to the county with the reason (退回)."""
        found = self._decided(report)
        found.return_(actor, reason)
        self.save(found)
