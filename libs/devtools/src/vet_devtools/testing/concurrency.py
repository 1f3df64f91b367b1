"""Helpers for tests of concurrent saves: threads started together, and a group commit held open."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from vet_common.eventstore import ServiceApplication
from vet_common.groupcommit import GroupCommitEventStore, GroupCommitter


def run_threads(targets: Sequence[Callable[[], Any]], timeout: float = 30) -> list[Any]:
    """Run each target on its own thread, released together; each one's result or exception."""
    results: list[Any] = [None] * len(targets)
    barrier = threading.Barrier(len(targets))

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = targets[index]()
        except BaseException as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a saver was left waiting"
    return results


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def committer_of(app: ServiceApplication) -> GroupCommitter:
    assert isinstance(app.events, GroupCommitEventStore)
    return app.events.committer


class Plug(Aggregate):
    """What the gate saves first, to hold the committer."""


class Gate:
    """Holds an application's committer in the insert of a first save (a Plug), so the saves after it queue
    up as one group; records the number of events of every insert."""

    def __init__(self, app: ServiceApplication) -> None:
        self.committer = committer_of(app)
        self.inner = self.committer._insert
        self.opened = threading.Event()
        self.sizes: list[int] = []
        self.committer._insert = self.insert
        self.plug = threading.Thread(target=app.save, args=(Plug(),))
        self.plug.start()
        wait_for(lambda: self.sizes == [1], "the plug did not reach the committer")

    def insert(self, events: Sequence[StoredEvent]) -> Any:
        self.sizes.append(len(events))
        self.opened.wait(10)
        return self.inner(events)

    def run_as_one_group(self, saves: Sequence[Callable[[], Any]]) -> list[Any]:
        """Each save on its own thread; the committer goes on once all of them wait."""

        def open_when_all_queued() -> None:
            wait_for(lambda: self.committer.queued == len(saves), "the saves did not queue")
            self.opened.set()

        opener = threading.Thread(target=open_when_all_queued)
        opener.start()
        results = run_threads(saves)
        opener.join()
        self.plug.join()
        return results
