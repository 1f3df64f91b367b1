"""Group commit on the SQLite event store: many savers at once, a conflict in a group, a committer that fails."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, StoredEvent

from vet_common import groupcommit
from vet_common.eventstore import ServiceApplication
from vet_common.groupcommit import CommitterStopped, GroupCommitEventStore, GroupCommitter
from vet_common.settings import Settings
from vet_devtools.testing.concurrency import Gate, committer_of, run_threads


class Counter(Aggregate):
    @event("Started")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @event("Incremented")
    def increment(self) -> None:
        self.count += 1


@pytest.fixture
def app(tmp_path: Path) -> Iterator[ServiceApplication]:
    application = ServiceApplication(Settings.for_service("registry", data_dir=tmp_path))
    yield application
    application.close()


def test_many_threads_saving_at_once_all_succeed_and_every_event_is_recorded_once(app: ServiceApplication) -> None:
    def saver(n: int) -> Callable[[], list[UUID]]:
        def save() -> list[UUID]:
            ids = []
            for i in range(10):
                counter = Counter(name=f"{n}-{i}")
                counter.increment()
                app.save(counter)
                ids.append(counter.id)
            return ids

        return save

    results = run_threads([saver(n) for n in range(16)])
    assert not [r for r in results if isinstance(r, BaseException)]
    saved = {aggregate_id for ids in results for aggregate_id in ids}
    assert len(saved) == 160
    notifications = app.process_recorder.select_notifications(start=1, limit=1000)
    assert sorted(n.id for n in notifications) == list(range(1, 321))  # gap-free, none twice
    recorded = [(n.originator_id, n.originator_version) for n in notifications]
    assert sorted(recorded) == sorted((aggregate_id, v) for aggregate_id in saved for v in (1, 2))
    assert all(app.repository.get(aggregate_id).count == 1 for aggregate_id in saved)


def test_savers_queued_together_share_one_transaction(app: ServiceApplication) -> None:
    gate = Gate(app)
    counters = [Counter(name=str(n)) for n in range(5)]
    results = gate.run_as_one_group([lambda c=c: app.save(c) for c in counters])
    assert not [r for r in results if isinstance(r, BaseException)]
    assert gate.sizes == [1, 5]  # the plug alone, then the five that waited behind it in one insert
    ids = sorted(recording.notification.id for recordings in results for recording in recordings)
    assert ids == [2, 3, 4, 5, 6]


def test_a_conflicting_version_fails_only_its_own_save(app: ServiceApplication) -> None:
    original = Counter(name="shared")
    app.save(original)
    first, second = app.repository.get(original.id), app.repository.get(original.id)
    first.increment()
    second.increment()  # both are version 2 of one aggregate: only one may be recorded
    others = [Counter(name=str(n)) for n in range(3)]
    gate = Gate(app)
    results = gate.run_as_one_group([lambda c=c: app.save(c) for c in [first, second, *others]])
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1
    assert isinstance(failures[0], IntegrityError)
    assert gate.sizes == [1, 5, 1, 1, 1, 1, 1]  # the five together first; on the conflict, each alone
    assert app.repository.get(original.id).version == 2
    assert all(app.repository.get(c.id).name == c.name for c in others)


def test_an_error_in_the_committer_wakes_every_waiter_with_it() -> None:
    def broken(events: Sequence[StoredEvent]) -> Sequence[int]:
        time.sleep(0.05)  # let others queue behind the first
        raise RuntimeError("disk on fire")

    committer = GroupCommitter(broken)
    results = run_threads([lambda: committer.insert([]) for _ in range(8)], timeout=10)
    assert all(isinstance(r, RuntimeError) for r in results)
    committer.close()


class Crash(BaseException):
    """Not an Exception: the committer thread itself ends."""


def test_a_committer_that_dies_wakes_every_waiter_and_refuses_later_saves() -> None:
    calls = 0

    def crashing(events: Sequence[StoredEvent]) -> Sequence[int]:
        nonlocal calls
        calls += 1
        time.sleep(0.05)
        raise Crash

    committer = GroupCommitter(crashing)
    results = run_threads([lambda: committer.insert([]) for _ in range(8)], timeout=10)
    assert all(isinstance(r, Crash | CommitterStopped) for r in results)
    assert calls <= 2  # it died at the first group that crashed; the others were told, not tried
    with pytest.raises(CommitterStopped):
        committer.insert([])


def test_closing_the_application_stops_its_committer(tmp_path: Path) -> None:
    application = ServiceApplication(Settings.for_service("registry", data_dir=tmp_path))
    application.save(Counter(name="one"))
    application.close()
    with pytest.raises(CommitterStopped):
        committer_of(application).insert([])


def test_group_commit_can_be_turned_off(tmp_path: Path) -> None:
    application = ServiceApplication(Settings.for_service("registry", data_dir=tmp_path, group_commit=False))
    try:
        assert not isinstance(application.events, GroupCommitEventStore)
        counter = Counter(name="alone")
        application.save(counter)
        assert application.repository.get(counter.id).name == "alone"
    finally:
        application.close()


def test_an_idle_committer_lets_its_thread_end_and_starts_another_when_needed(
    app: ServiceApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(groupcommit, "IDLE_SECONDS", 0.05)
    committer = committer_of(app)
    app.save(Counter(name="first"))
    deadline = time.monotonic() + 5
    while committer._thread is not None:
        assert time.monotonic() < deadline, "the idle thread did not end"
        time.sleep(0.01)
    second = Counter(name="second")
    app.save(second)
    assert app.repository.get(second.id).name == "second"
