"""The SQLite recorder every service uses: eventsourcing's, with writers taking turns and one INSERT per batch.

Taking turns: two processes writing one SQLite file (an api with two uvicorn workers, or an api and its worker)
meet on SQLite's write lock, and SQLite's busy handler sleeps 1, 2, 5 ... up to 100 ms between tries. Each
insert here first takes an exclusive `flock` on a file beside the database, which the kernel hands to the next
waiter the moment it is released; SQLite's own lock then never waits. The flock is only about waiting: a writer
that does not take it (an older process, the sqlite3 shell) is still kept out by SQLite's lock, as before.

One INSERT: the library inserts a batch row by row, and every statement lets go of the GIL and must win it back
(from the event loop and the other threads) before the next: a group commit of 20 events waited for it 20 times.
A multi-row INSERT is one statement. Notification ids are rowids, assigned one after another inside the write
transaction, so a statement's rows have the ids that end at its last rowid.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteProcessRecorder

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
