"""Group commit: the new events of concurrent commands written in one transaction, each caller told after it."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any
from uuid import UUID

from eventsourcing.persistence import EventStore, IntegrityError, Mapper, Notification, Recording, StoredEvent

log = logging.getLogger(__name__)

Insert = Callable[[Sequence[StoredEvent]], Sequence[int] | None]
Ids = Sequence[int] | None
Member = tuple[Sequence[StoredEvent], "Future[Ids]"]  # one caller's events, and where its answer goes
IDLE_SECONDS = 5.0


class CommitterStopped(RuntimeError):
    """The committer is closed, or died: nothing of this save was written."""


class GroupCommitter:
    """One thread writes, callers wait.

    Each caller queues its stored events and waits. The committer takes everything queued at that moment and
    inserts it in one transaction, then answers each caller: its notification ids, or the error. While that
    transaction commits the next callers queue up, so under load groups grow by themselves, and with one caller
    at a time nothing waits longer than its own transaction. If the group's insert fails on a constraint (an
    aggregate version taken, a colliding ID-number claim), each member is tried again alone: one conflict fails
    only its own command.
    """

    def __init__(self, insert: Insert, max_events: int = 1000, name: str = "group-commit") -> None:
        self._insert = insert
        self._max_events = max_events  # a bound on one transaction's size, so a burst cannot make it huge
        self._name = name
        self._queue: deque[Member] = deque()
        self._ready = threading.Condition()
        self._stopped: CommitterStopped | None = None
        self._thread: threading.Thread | None = None

    def insert(self, events: Sequence[StoredEvent]) -> Ids:
        """Write `events` in one transaction (with other callers' events); their notification ids."""
        future: Future[Ids] = Future()
        with self._ready:
            if self._stopped is not None:
                raise CommitterStopped(str(self._stopped))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.append((events, future))
            self._ready.notify()
        return future.result()

    @property
    def queued(self) -> int:
        """Callers waiting for the next group."""
        with self._ready:
            return len(self._queue)

    def close(self) -> None:
        """Finish what is queued, then stop; later inserts raise CommitterStopped."""
        with self._ready:
            if self._stopped is None:
                self._stopped = CommitterStopped("the event store is closed")
            self._ready.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)

    def _run(self) -> None:
        try:
            while group := self._take():
                self._commit(group)
        except BaseException as error:
            log.exception("group committer died")
            self._stop(CommitterStopped(f"group committer died: {error!r}"))

    def _take(self) -> list[Member]:
        """Wait for work; then everything queued, up to max_events. Empty when idle for a while or closed."""
        with self._ready:
            if not self._queue and self._stopped is None:
                self._ready.wait(IDLE_SECONDS)
            if not self._queue:
                # The thread ends; the next insert starts another. An application nobody closes does not
                # keep a thread (and through it its database connections) for ever.
                self._thread = None
                return []
            group: list[Member] = []
            size = 0
            while self._queue and (not group or size + len(self._queue[0][0]) <= self._max_events):
                group.append(self._queue.popleft())
                size += len(group[-1][0])
            return group

    def _commit(self, group: list[Member]) -> None:
        try:
            try:
                ids = self._insert([event for events, _ in group for event in events])
            except IntegrityError:
                if len(group) == 1:
                    raise
                for member in group:
                    self._commit([member])
                return
            offset = 0
            for events, future in group:
                future.set_result(None if ids is None else ids[offset : offset + len(events)])
                offset += len(events)
        except BaseException as error:
            for _, future in group:
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise

    def _stop(self, reason: CommitterStopped) -> None:
        """No more inserts (the committer died); every caller still queued is told, none is left waiting."""
        with self._ready:
            if self._stopped is None:
                self._stopped = reason
            left = list(self._queue)
            self._queue.clear()
        for _, future in left:
            future.set_exception(reason)


class GroupCommitEventStore(EventStore[UUID]):
    """An event store whose untracked saves go through a GroupCommitter.

    A save with a tracking record (a consumer's reaction) stays a transaction of its own: the recorder writes
    one tracking record per insert.
    """

    def __init__(self, mapper: Mapper[UUID], recorder: Any, committer: GroupCommitter) -> None:
        super().__init__(mapper, recorder)
        self.committer = committer

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording[UUID]]:
        # Application.save() passes tracking=None when there is none.
        if any(value is not None for value in kwargs.values()) or not domain_events:
            return super().put(domain_events, **kwargs)
        stored = [self.mapper.to_stored_event(event) for event in domain_events]
        ids = self.committer.insert(stored)
        if ids is None:
            return []
        return [
            Recording(
                event,
                Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=n,
                ),
            )
            for event, s, n in zip(domain_events, stored, ids, strict=True)
        ]
