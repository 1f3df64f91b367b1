"""One reader of a service's notification log: each notification read and decrypted once, for every consumer."""

from __future__ import annotations

import asyncio
import bisect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic
from prometheus_client import Counter

from vet_common.eventstore import ServiceApplication
from vet_common.polling import poll

log = logging.getLogger(__name__)

converted_total = Counter(
    "vet_log_converted_total", "Notifications read from the event store and decrypted", ["service"]
)


class LogEntry(NamedTuple):
    notification_id: int
    # Shared by every consumer: read it, never change it (or anything of it an aggregate keeps).
    event: DomainEventProtocol[Any]


class UnreadableNotification(Exception):
    """The next notification cannot be decrypted or deserialised (its cause says why, e.g. a class gone from the
    code): a consumer gets the ones before it, then this, and stays there."""

    def __init__(self, notification_id: int) -> None:
        super().__init__(f"cannot read notification {notification_id}")
        self.notification_id = notification_id


class LogBatch(NamedTuple):
    entries: Sequence[LogEntry]  # in notification order; only the consumer's event types, if it named any
    position: int  # what the consumer has seen once it has handled them: the position to save


@dataclass(frozen=True, eq=False)
class LogConsumer:
    """A reader of the log that keeps its own position.

    `handle` gets the entries after `position()`, in order, and saves `batch.position` itself once their
    effects are durable; if it raises, the same entries come again. `until`, when given, is a position
    the consumer stays at or behind (the duplicate scan stays behind the projector whose read model it
    searches). `event_types`, when given, are the only events it is handed.
    """

    name: str
    position: Callable[[], Awaitable[int]]
    handle: Callable[[LogBatch], Awaitable[None]]
    batch_size: int = 500
    until: Callable[[], Awaitable[int]] | None = None
    event_types: tuple[type, ...] = ()


class LogFollower:
    """Reads the log for several consumers, each at its own pace, converting each notification once.

    The converted entries of notification ids (start, end] are kept in a window of at most `window_size`
    entries: a consumer within it is served from memory, one at its end reads the next batch for all of
    them, and one behind it reads up to the window's start, which then joins the window. So a failing or
    slow consumer neither holds the others back nor makes them read again; one that falls out of the
    window (the others moved `window_size` entries on, as in a bulk import) reads on its own until it is
    back in, as every consumer did before there was a follower.
    """

    def __init__(self, app: ServiceApplication, window_size: int = 10_000) -> None:
        self.app = app
        self.window_size = window_size
        self.window: list[LogEntry] = []
        self.start = self.end = -1  # no window yet
        self.lock = asyncio.Lock()  # one read at the window's end at a time: the others wait and share it
        self.service = app.settings.service

    async def run_once(self, consumer: LogConsumer) -> int:
        """Hand `consumer` its next batch; return how many notifications that covered (0: it is up to date).

        (For a consumer of some event types only, which may skip unwanted ones unread: how far it moved.)
        """
        after = await consumer.position()
        until = await consumer.until() if consumer.until else None
        if until is not None and until <= after:
            return 0
        batch = await self.next_batch(after, consumer.batch_size, until, consumer.event_types)
        if batch.position > after:
            await consumer.handle(batch)
        return batch.position - after if consumer.event_types else len(batch.entries)

    async def follow(self, consumer: LogConsumer, stop: asyncio.Event, poll_interval: float) -> None:
        log.info("%s of %s started at %s", consumer.name, self.service, await consumer.position())
        await poll(consumer.name, lambda: self.run_once(consumer), stop, poll_interval)

    async def next_batch(self, after: int, limit: int, until: int | None, types: tuple[type, ...]) -> LogBatch:
        async with self.lock:
            if self.start <= after < self.end:
                first = bisect.bisect_right(self.window, after, key=lambda entry: entry.notification_id)
                entries: list[LogEntry] | None = [
                    e for e in self.window[first : first + limit] if until is None or e.notification_id <= until
                ]
            elif after >= self.end:
                entries = await self.read_at_end(after, limit, until)
            else:
                entries = None
        if entries is None:  # behind the window
            return await self.read_behind(after, limit, until, types)
        return LogBatch(
            [e for e in entries if type(e.event) in types] if types else entries,
            entries[-1].notification_id if entries else after,
        )

    async def read_at_end(self, after: int, limit: int, until: int | None) -> list[LogEntry]:
        """The next batch, kept for the others; a position beyond the window's end starts a new window.

        (Beyond it: the first read, or a position that moved on by itself, as when `vet rebuild` writes it.)
        """
        entries, _ = await self.read(after, limit, until)
        if after != self.end:
            self.window, self.start, self.end = [], after, after
        if entries:
            self.window.extend(entries)
            self.end = entries[-1].notification_id
            excess = len(self.window) - self.window_size
            if excess > 0:  # the oldest go; a consumer still needing them reads them on its own
                self.start = self.window[excess - 1].notification_id
                del self.window[:excess]
        return entries

    async def read_behind(self, after: int, limit: int, until: int | None, types: tuple[type, ...]) -> LogBatch:
        """On its own, without the lock; no further than the window's start, so nothing is converted twice."""
        stop = self.start if until is None else min(until, self.start)
        if types:  # it reads on its own: only the events it wants
            entries, whole = await self.read(after, limit, stop, [get_topic(t) for t in types])
            # Fewer than asked for (and none unreadable): there is nothing more for it up to `stop`.
            return LogBatch(entries, entries[-1].notification_id if len(entries) == limit or not whole else stop)
        entries, _ = await self.read(after, limit, stop)
        reached = entries and entries[-1].notification_id == self.start  # the window's start as it is now
        if reached and len(self.window) + len(entries) <= self.window_size:
            self.window[:0] = entries
            self.start = after
        return LogBatch(entries, entries[-1].notification_id if entries else after)

    async def read(
        self, after: int, limit: int, until: int | None, topics: Sequence[str] = ()
    ) -> tuple[list[LogEntry], bool]:
        """The entries after `after`, and whether that is all that was selected (not cut at an unreadable one)."""
        return await asyncio.to_thread(self._read, after, limit, until, topics)

    def _read(self, after: int, limit: int, until: int | None, topics: Sequence[str]) -> tuple[list[LogEntry], bool]:
        # In a thread with the select: decrypting a batch would otherwise hold up the event loop.
        recorder = self.app.process_recorder
        notifications = recorder.select_notifications(after, limit, until, topics, inclusive_of_start=False)
        to_domain_event = self.app.mapper.to_domain_event
        entries: list[LogEntry] = []
        for notification in notifications:
            try:
                entries.append(LogEntry(notification.id, to_domain_event(notification)))
            except Exception as error:
                if entries:  # the ones before it first; it is the first of the next read
                    break
                raise UnreadableNotification(notification.id) from error
        converted_total.labels(self.service).inc(len(entries))
        return entries, len(entries) == len(notifications)
