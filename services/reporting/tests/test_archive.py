"""The audit archive keeps each integration event once, in one hash chain in arrival order, sealed; tampering
with the stored archive in any way is found, and where."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from reporting.application import ReportingApplication
from reporting.cli import verify_archive_command
from reporting.domain.archive import ARCHIVE_ID, SEALS_ID, EntryArchived, entry_hash
from reporting.service import definition
from vet_common.settings import Settings
from vet_common.subscriber import dlq_topic, make_broker, subscribe_batch
from vet_contracts import Actor, IntegrationEvent


def envelope(
    position: int, aggregate_id: str = "p-1", type_: str = "PersonRegistered", source: str = "registry"
) -> IntegrationEvent:
    return IntegrationEvent.build(
        type=type_,
        source=source,
        source_position=position,
        aggregate_id=aggregate_id,
        aggregate_version=1,
        occurred_at=datetime(2026, 8, 1, tzinfo=UTC),
        actor=Actor(sub="staff-1", role="station_staff"),
        region="350102001001",
        data={"person_id": aggregate_id},
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.for_service("reporting", data_dir=tmp_path, max_delivery_attempts=2, archive_seal_every=4)


@pytest.fixture
def reporting(settings: Settings) -> Iterator[ReportingApplication]:
    application = ReportingApplication(settings)
    yield application
    application.close()


def archived(reporting: ReportingApplication) -> list[EntryArchived]:
    return list(reporting.entries())


def test_a_batch_chains_each_entry_to_the_one_before_as_one_at_a_time_would(reporting: ReportingApplication) -> None:
    reporting.archive(envelope(1))
    reporting.archive_batch([envelope(n, f"p-{n}") for n in range(2, 7)])
    entries = archived(reporting)
    assert [entry.position for entry in entries] == [1, 2, 3, 4, 5, 6]
    for before, entry in itertools.pairwise(entries):
        assert entry.previous_hash == before.hash
        assert entry.hash == entry_hash(entry.position, before.hash, entry.timestamp, entry.envelope)
    assert reporting.verify_archive().intact


def test_two_workers_archiving_at_once_take_turns_without_a_conflict(settings: Settings) -> None:
    """Two workers (two applications on one store) extend the one chain at the same time: with the writer lock
    neither ever builds a batch on a head the other has moved, so not even one attempt is refused."""
    workers = [ReportingApplication(settings), ReportingApplication(settings)]

    def archive_share(worker: ReportingApplication, first: int) -> None:
        for start in range(first, 400, 40):  # batches of 20, the two workers' batches interleaved
            worker.archive_batch([envelope(n, f"p-{n}") for n in range(start, start + 20)], attempts=1)

    try:
        threads = [
            threading.Thread(target=archive_share, args=(worker, first))
            for worker, first in zip(workers, (1, 21), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert workers[0].archived() == 400
        assert workers[1].verify_archive().intact
    finally:
        for worker in workers:
            worker.close()


def test_a_redelivered_event_is_archived_once(reporting: ReportingApplication) -> None:
    assert reporting.archive(envelope(1)) is True
    assert reporting.archive(envelope(1)) is False
    assert reporting.archive_batch([envelope(2), envelope(2), envelope(1)]) == 1
    assert [e.envelope["source_position"] for e in archived(reporting)] == [1, 2]


def test_one_chain_over_every_source_in_arrival_order(reporting: ReportingApplication) -> None:
    # Kafka's partitions interleave: positions arrive out of order, and from several services.
    for position, source in [(5, "registry"), (3, "registry"), (1, "outreach"), (4, "assistance"), (9, "registry")]:
        assert reporting.archive(envelope(position, f"{source}-{position}", source=source))
    entries = archived(reporting)
    assert [e.position for e in entries] == [1, 2, 3, 4, 5]
    assert [(e.envelope["source"], e.envelope["source_position"]) for e in entries] == [
        ("registry", 5),
        ("registry", 3),
        ("outreach", 1),
        ("assistance", 4),
        ("registry", 9),
    ]
    assert all(later.previous_hash == earlier.hash for earlier, later in itertools.pairwise(entries))
    verdict = reporting.verify_archive()
    assert verdict.intact
    assert verdict.entries == 5
    assert verdict.sealed_through == 4  # every 4 entries (archive_seal_every)


def test_a_second_process_archiving_meanwhile_is_not_forked(
    settings: Settings, reporting: ReportingApplication
) -> None:
    other = ReportingApplication(settings)
    try:
        reporting.archive(envelope(1))
        other.archive(envelope(2))  # its head is stale only after this one moves on
        reporting.archive(envelope(3))  # collides on version 2, reloads the head, becomes 3
        other.archive(envelope(3))  # a duplicate, whoever sees it
    finally:
        other.close()
    assert [e.envelope["source_position"] for e in archived(reporting)] == [1, 2, 3]
    assert reporting.verify_archive().intact


def test_the_seal_covers_a_quiet_archive(reporting: ReportingApplication) -> None:
    reporting.archive(envelope(1))
    assert reporting.verify_archive().sealed_through == 0
    seal = reporting.seal()
    assert seal is not None
    assert seal.position == 1
    assert reporting.seal() is None  # nothing new since
    assert reporting.verify_archive().sealed_through == 1


# Tampering with the stored archive ---------------------------------------------------------------------------------


class Store:
    """The SQLite file under the archive, changed behind the platform's back."""

    def __init__(self, settings: Settings, reporting: ReportingApplication) -> None:
        self.connection = sqlite3.connect(settings.data_dir / "reporting.sqlite")
        self.reporting = reporting
        self.stream = ARCHIVE_ID.hex

    def state(self, version: int) -> bytes:
        row = self.connection.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (self.stream, version),
        ).fetchone()
        return bytes(row[0])

    def set_state(self, version: int, state: bytes) -> None:
        with self.connection:
            self.connection.execute(
                "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
                (state, self.stream, version),
            )

    def delete(self, condition: str, *args: object) -> None:
        with self.connection:
            self.connection.execute(
                f"DELETE FROM stored_events WHERE originator_id = ? AND {condition}", (self.stream, *args)
            )

    def forge(self, entry: EntryArchived) -> bytes:
        """What someone holding the cipher key (not the seal key) would write."""
        return bytes(self.reporting.mapper.to_stored_event(entry).state)

    def entry(self, version: int) -> EntryArchived:
        found = self.reporting.entry_at(version)
        assert found is not None
        return found


@pytest.fixture
def store(settings: Settings, reporting: ReportingApplication) -> Iterator[Store]:
    for position in range(1, 11):  # sealed at 4 and 8
        reporting.archive(envelope(position, f"p-{position}"))
    assert reporting.verify_archive().intact
    store = Store(settings, reporting)
    yield store
    store.connection.close()


def problems(reporting: ReportingApplication) -> list[tuple[int, str]]:
    verdict = reporting.verify_archive()
    assert not verdict.intact
    return [(p.position, p.message) for p in verdict.problems]


def test_an_edited_entry_is_found(store: Store, reporting: ReportingApplication) -> None:
    entry = store.entry(6)
    store.set_state(6, store.forge(dataclasses.replace(entry, envelope={**entry.envelope, "region": "440402001001"})))
    found = problems(reporting)
    assert found[0][0] == 6
    assert "entry 6 was altered" in found[0][1]


def test_a_listed_page_is_intact_until_one_of_its_entries_is_edited(
    store: Store, reporting: ReportingApplication
) -> None:
    listed = [(position, store.entry(position).hash) for position in (2, 6, 9)]  # what an audit page shows
    assert reporting.entries_match(listed)
    entry = store.entry(6)
    store.set_state(6, store.forge(dataclasses.replace(entry, envelope={**entry.envelope, "region": "440402001001"})))
    assert not reporting.entries_match(listed)
    assert reporting.entries_match([listed[0], listed[2]])
    assert not reporting.entries_match([(2, listed[1][1])])  # another entry's hash


def test_changed_bytes_are_found(store: Store, reporting: ReportingApplication) -> None:
    state = bytearray(store.state(3))
    state[-5] ^= 0xFF
    store.set_state(3, bytes(state))
    assert (3, "第 3 条无法读取 (entry 3 cannot be read: its stored bytes were changed)") in problems(reporting)


def test_a_deleted_entry_is_found(store: Store, reporting: ReportingApplication) -> None:
    store.delete("originator_version = ?", 5)
    found = problems(reporting)
    assert found[0] == (5, "第 5 条缺失 (entries 5 were deleted)")
    assert any(position == 6 and "does not follow entry 5" in message for position, message in found)


def test_a_reordered_entry_is_found(store: Store, reporting: ReportingApplication) -> None:
    two, three = store.state(2), store.state(3)
    store.set_state(2, three)
    store.set_state(3, two)
    found = problems(reporting)
    assert found[0][0] == 2
    assert "archived as entry 3" in found[0][1]


def test_an_inserted_entry_is_found(store: Store, reporting: ReportingApplication) -> None:
    # Make room at 7 (versions 7..10 move up by one), and put in an entry that hashes right by itself.
    entries = [store.entry(v) for v in range(7, 11)]
    store.delete("originator_version >= ?", 7)
    previous = store.entry(6)
    forged_envelope = {**entries[0].envelope, "event_id": "forged", "aggregate_id": "p-x"}
    forged = dataclasses.replace(
        entries[0],
        envelope=forged_envelope,
        previous_hash=previous.hash,
        hash=entry_hash(7, previous.hash, entries[0].timestamp, forged_envelope),
    )
    moved = [forged, *(dataclasses.replace(e, originator_version=e.originator_version + 1) for e in entries)]
    for entry in moved:
        stored = reporting.mapper.to_stored_event(entry)
        with store.connection:
            store.connection.execute(
                "INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
                (store.stream, entry.originator_version, stored.topic, bytes(stored.state)),
            )
    found = problems(reporting)
    assert found[0][0] == 8
    assert "archived as entry 7" in found[0][1]
    assert any("differs from what seal 2 sealed" in message for _, message in found)


def test_a_tail_removed_before_the_last_seal_is_found(store: Store, reporting: ReportingApplication) -> None:
    store.delete("originator_version > ?", 6)  # sealed through 8
    assert problems(reporting) == [
        (7, "第 7–8 条被删除 (entries 7–8 were removed: the archive ends at 6 but was sealed through 8)")
    ]


def test_a_chain_rewritten_consistently_still_breaks_the_seal(store: Store, reporting: ReportingApplication) -> None:
    previous = store.entry(2).hash
    for version in range(3, 11):
        entry = store.entry(version)
        changed = (
            {**entry.envelope, "actor": {"sub": "someone-else", "role": "officer"}} if version == 3 else entry.envelope
        )
        digest = entry_hash(version, previous, entry.timestamp, changed)
        store.set_state(
            version, store.forge(dataclasses.replace(entry, envelope=changed, previous_hash=previous, hash=digest))
        )
        previous = digest
    assert [position for position, _ in problems(reporting)] == [4, 8]  # both seals name where it no longer fits


def test_a_deleted_seal_is_found(store: Store, reporting: ReportingApplication, settings: Settings) -> None:
    with store.connection:
        store.connection.execute(
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = 1", (SEALS_ID.hex,)
        )
    assert any("seal 1 is missing" in message for _, message in problems(reporting))


def test_vet_verify_archive_says_where(store: Store, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_archive_command(settings, []) == 0
    assert "intact (10 entries, 2 seals, sealed through entry 8)" in capsys.readouterr().out
    store.delete("originator_version = ?", 9)
    assert verify_archive_command(settings, []) == 1
    out = capsys.readouterr().out
    assert "entry 9: 第 9 条缺失 (entries 9 were deleted)" in out
    assert "the audit archive was altered" in out


# Consuming from Kafka -----------------------------------------------------------------------------------------------


async def test_the_worker_archives_a_batch_once_and_dead_letters_what_it_must_refuse(tmp_path: Path) -> None:
    settings = Settings.for_service("reporting", data_dir=tmp_path, max_delivery_attempts=2, jurisdiction="35")
    reporting = ReportingApplication(settings)
    broker = make_broker(settings)
    topic = settings.topic("registry")
    handle_batch, handle = definition.batch_handler_factory(reporting), definition.handler_factory(reporting)  # type: ignore[misc]
    subscribe_batch(broker, settings, [topic], handle_batch, handle, retry_delay=0)
    dead: list[bytes] = []

    @broker.subscriber(dlq_topic(topic))
    async def collect(message: KafkaMessage) -> None:
        dead.append(message.body)

    outside = envelope(8, "p-8").model_copy(update={"region": "440402001001"})
    first, second = envelope(6, "p-6").to_bytes(), envelope(7, "p-7").to_bytes()
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish_batch(first, second, first, topic=topic)  # one batch, with a redelivery in it
        await test_broker.publish_batch(second, b"{not json", outside.to_bytes(), topic=topic)

    try:
        assert [e.envelope["aggregate_id"] for e in archived(reporting)] == ["p-6", "p-7"]
        assert dead == [b"{not json", outside.to_bytes()]
    finally:
        reporting.close()
