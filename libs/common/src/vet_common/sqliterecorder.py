"""The SQLite event store every service uses: eventsourcing's, with its statements kept prepared, writers taking
turns and one INSERT per batch.

Prepared statements: the library opens its connections with `cached_statements=True`, a cache of one statement, so
every BEGIN and SELECT was parsed again: a command loading two aggregates spent 30% of that CPU on it. Ours keep
128, and a page cache of 8 MiB (SQLite's default is 2) for the upper levels of a store's B-trees.

Taking turns: two processes writing one SQLite file (an api with two uvicorn workers, or an api and its worker)
meet on SQLite's write lock, and SQLite's busy handler sleeps 1, 2, 5 ... up to 100 ms between tries. Each
insert here first takes an exclusive `flock` on a file beside the database, which the kernel hands to the next
waiter the moment it is released; SQLite's own lock then never waits. The flock is only about waiting: a writer
that does not take it (an older process, the sqlite3 shell) is still kept out by SQLite's lock, as before.

One INSERT: the library inserts a batch row by row, and every statement lets go of the GIL and must win it back
(from the event loop and the other threads) before the next: a group commit of 20 events waited for it 20 times.
A multi-row INSERT is one statement. Notification ids are rowids, assigned one after another inside the write
transaction, so a statement's rows have the ids that end at its last rowid. For the same reason an aggregate's
events are read by their one SELECT, without the library's BEGIN and ROLLBACK around it: in autocommit mode a
statement is a read transaction of its own.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
    SQLiteProcessRecorder,
)
from eventsourcing.utils import Environment, EnvType

PREPARED_STATEMENTS = 128
PAGE_CACHE_KIB = 8192
# Rows per INSERT statement: 4 parameters a row, under SQLite's oldest default limit of 999 parameters.
ROWS_PER_STATEMENT = 240


@contextmanager
def write_turn(db_name: str) -> Iterator[None]:
    """An exclusive turn at writing the database file, among processes and threads alike: each turn opens the
    lock file anew, and flocks on separate opens exclude each other even within one process."""
    fd = os.open(f"{db_name}.write-turn", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits without the GIL
        yield
    finally:
        os.close(fd)  # and with it the lock


class TurnTakingProcessRecorder(SQLiteProcessRecorder):
    def __init__(self, datastore: SQLiteDatastore, **tables: Any) -> None:
        super().__init__(datastore, **tables)
        self.takes_turns = not datastore.pool.is_sqlite_memory_mode

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not self.takes_turns:
            return super().insert_events(stored_events, **kwargs)
        with write_turn(self.datastore.pool.db_name):
            return super().insert_events(stored_events, **kwargs)

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        # The library's statement and rows (see above for what is left out).
        statement = self.select_events_statement
        params: list[Any] = [originator_id.hex if isinstance(originator_id, UUID) else originator_id]
        if gt is not None:
            statement += "AND originator_version>? "
            params.append(gt)
        if lte is not None:
            statement += "AND originator_version<=? "
            params.append(lte)
        statement += "ORDER BY originator_version DESC " if desc else "ORDER BY originator_version ASC "
        if limit is not None:
            statement += "LIMIT ? "
            params.append(limit)
        with self.datastore.get_connection(commit=False) as connection, connection.cursor() as cursor:
            try:
                rows = cursor.execute(statement, params).fetchall()
            except sqlite3.OperationalError as error:
                raise OperationalError(error) from error
        return [
            StoredEvent(
                originator_id=self.convert_originator_id(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"],
            )
            for row in rows
        ]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        ids: list[int] = []
        for start in range(0, len(stored_events), ROWS_PER_STATEMENT):
            chunk = stored_events[start : start + ROWS_PER_STATEMENT]
            rows = ", ".join(["(?, ?, ?, ?)"] * len(chunk))
            values: list[Any] = []
            for event in chunk:
                originator_id = event.originator_id
                values += [
                    originator_id.hex if isinstance(originator_id, UUID) else originator_id,
                    event.originator_version,
                    event.topic,
                    event.state,
                ]
            c.execute(
                f"INSERT INTO {self.events_table_name} (originator_id, originator_version, topic, state) VALUES {rows}",
                values,
            )
            last = c.lastrowid
            ids += range(last - len(chunk) + 1, last + 1)
        tracking = kwargs.get("tracking")
        if tracking is not None:
            self._insert_tracking(c, tracking)
        return ids


class PreparedConnectionPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        # The library's, with a statement cache and a page cache (see above).
        try:
            connection = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # BEGIN is the recorder's
                cached_statements=PREPARED_STATEMENTS,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        if not self.is_sqlite_memory_mode:
            connection.execute("PRAGMA journal_mode=WAL")  # a no-op once the file is in WAL mode
            self.is_journal_mode_wal = True
        connection.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        connection.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=connection, max_age=self.max_age)


class Factory(SQLiteFactory):
    """PERSISTENCE_MODULE=vet_common.sqliterecorder:Factory: the library's SQLite, with the parts above."""

    process_recorder_class = TurnTakingProcessRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        library_pool = self.datastore.pool  # no connection is opened before the first transaction
        self.datastore.pool = PreparedConnectionPool(
            db_name=library_pool.db_name, lock_timeout=library_pool.lock_timeout
        )
