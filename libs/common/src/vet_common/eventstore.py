"""The event store every service writes to: an eventsourcing Application configured from Settings."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    EventStore,
    IntegrityError,
    JSONTranscoder,
    ProcessRecorder,
    Recording,
    Tracking,
    Transcoding,
)

from vet_common.domain import Actor, Clock, SystemClock
from vet_common.groupcommit import GroupCommitEventStore, GroupCommitter
from vet_common.settings import Settings

log = logging.getLogger(__name__)


@contextmanager
def postgres_setup(settings: Settings) -> Iterator[None]:
    """Create the service's schema, and hold a lock while its tables are created.

    eventsourcing creates tables but not the schema that keeps each service's tables apart, and
    PostgreSQL's CREATE ... IF NOT EXISTS is not safe when a service's api and worker start together.
    """
    if not settings.uses_postgres:
        yield
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(settings.eventstore_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"vet.setup.{settings.service}",))
        try:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(settings.service)))
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (f"vet.setup.{settings.service}",))


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        return {"sub": obj.sub, "role": obj.role}

    def decode(self, data: dict[str, str]) -> Actor:
        return Actor(**data)


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's project_aggregate without its `assert isinstance(event, CanMutateProtocol)`: a runtime
    protocol check costs 15-20 µs on Python 3.11, more than most events' own mutate, on every event loaded."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def collect(processing_event: ProcessingEvent[UUID], objs: Iterable[Any]) -> None:
    """ProcessingEvent.collect_events, recognising aggregates by their class (cheap) before the library's
    runtime-checkable protocols (15-20 µs each, twice per aggregate); the events keep the order of `objs`."""
    for obj in objs:
        if isinstance(obj, Aggregate):
            processing_event.events.extend(obj.collect_events())
            processing_event.aggregates[obj.id] = obj
        elif obj is not None:
            processing_event.collect_events(obj)


class ServiceApplication(Application[UUID]):
    """Base of each service's application.

    Its recorder is a process recorder, so the effects of a consumed integration event are saved in one
    transaction with a Tracking record (upstream name + upstream position): a redelivery has no second effect.
    """

    def __init__(self, settings: Settings, env: dict[str, str] | None = None, clock: Clock | None = None) -> None:
        self.settings = settings
        # Commands take "now" and "today" from here, so tests can fix them; events still get the library's
        # own timestamps (eventsourcing stamps them when they are triggered).
        self.clock: Clock = clock or SystemClock()
        with postgres_setup(settings):
            super().__init__(env={**settings.eventsourcing_env(), **(env or {})})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(ActorAsDict())

    def construct_repository(self) -> Repository[UUID]:
        repository = super().construct_repository()
        repository.get = partial(repository.get, projector_func=replay)  # type: ignore[method-assign]
        return repository

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        # The library's save(), with `collect` for its ProcessingEvent.collect_events.
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        collect(processing_event, objs)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, called as its save() calls it
        return recordings

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    def construct_event_store(self) -> EventStore[UUID]:
        # Concurrent commands share one transaction and one commit (see groupcommit.py): with a single
        # writer (SQLite) or a table lock per insert (PostgreSQL), commits one at a time are the limit.
        if not self.settings.group_commit:
            return super().construct_event_store()
        committer = GroupCommitter(self.recorder.insert_events, name=f"{self.settings.service}-group-commit")
        return GroupCommitEventStore(self.mapper, self.recorder, committer)

    def close(self) -> None:
        if isinstance(self.events, GroupCommitEventStore):
            self.events.committer.close()
        super().close()

    @property
    def process_recorder(self) -> ProcessRecorder:
        assert isinstance(self.recorder, ProcessRecorder)
        return self.recorder

    def get_or_none(self, aggregate_id: UUID) -> Any:
        """The aggregate, or None when there is no such id."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def save_tracked(self, tracking: Tracking, *objs: Any) -> bool:
        """Save the new events of `objs` together with `tracking`; False if that position was already done."""
        if self.has_processed(tracking):
            return False
        processing_event: ProcessingEvent[UUID] = ProcessingEvent(tracking)
        collect(processing_event, objs)
        try:
            recordings = self._record(processing_event)
        except IntegrityError:
            # Either another consumer recorded this position first (a duplicate), or an aggregate
            # version conflict, which the caller retries after reloading.
            if self.has_processed(tracking):
                return False
            raise
        self._notify(recordings)
        return True

    def save_events(self, events: list[Any]) -> None:
        """Save domain events made without loading or building their aggregates (the created events of many new
        aggregates at once): `save` checks each object against runtime protocols, which costs more than the event."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.events = events
        self._notify(self._record(processing_event))

    def has_processed(self, tracking: Tracking) -> bool:
        return tracking_exists(self.process_recorder, tracking.application_name, tracking.notification_id)


@runtime_checkable
class KeepsEveryPosition(Protocol):
    """A recorder that answers for itself which positions it tracked (the test harness's in-memory one)."""

    def has_position(self, upstream: str, position: int) -> bool: ...


def tracking_exists(recorder: ProcessRecorder, upstream: str, position: int) -> bool:
    """Whether exactly (upstream, position) was recorded. Multi-row tracking makes this a key lookup.

    The library's has_tracking_id() compares with the maximum, which is wrong for Kafka's interleaved
    partitions, so this asks the tracking table directly.
    """
    if isinstance(recorder, KeepsEveryPosition):
        return recorder.has_position(upstream, position)
    datastore: Any = getattr(recorder, "datastore", None)
    table = getattr(recorder, "tracking_table_name", "tracking")
    if datastore is None:
        raise TypeError(f"unsupported recorder {type(recorder).__name__}")
    if is_postgres(recorder):
        from psycopg import sql

        query = sql.SQL("SELECT 1 FROM {}.{} WHERE application_name = %s AND notification_id = %s").format(
            sql.Identifier(datastore.schema), sql.Identifier(table)
        )
        with datastore.transaction(commit=False) as curs:
            curs.execute(query, (upstream, position))
            return curs.fetchone() is not None
    with datastore.transaction(commit=False) as curs:
        curs.execute(
            f"SELECT 1 FROM {table} WHERE application_name = ? AND notification_id = ?",
            (upstream, position),
        )
        return curs.fetchone() is not None


def is_postgres(recorder: Any) -> bool:
    """Whether the recorder writes to PostgreSQL (eventsourcing's recorders, or ours built on them)."""
    return any(cls.__module__.startswith("eventsourcing.postgres") for cls in type(recorder).__mro__)
