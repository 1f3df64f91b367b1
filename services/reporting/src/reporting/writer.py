"""One writer of the archive's head at a time across every reporting worker (档案写入锁).

The archive is one hash chain, so every batch extends the same head. Without this, two workers sharing the
partitions each hash a batch onto the head they knew, one of them loses on the store's unique (stream,
version) key, reloads the head and hashes the batch again; under steady load a batch could lose five times and
fall back to one message at a time. Holding this lock from reading the head to committing the batch makes the
appends take turns instead, while each worker still fetches and parses its messages in parallel.

PostgreSQL: a session advisory lock on a connection of its own (released by the server if the worker dies).
SQLite: an flock on a file beside the database (released by the kernel if the worker dies).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from typing import Any

from vet_common.settings import Settings


class ArchiveWriterLock:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.key = int.from_bytes(hashlib.sha256(b"vet.reporting.archive-writer").digest()[:8], "big", signed=True)
        self._connection: Any = None
        self._within = threading.Lock()  # this process's own writers: the flock and the session lock are per process

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._within:
            if self.settings.uses_postgres:
                with self._advisory():
                    yield
            else:
                with self._flock():
                    yield

    @contextlib.contextmanager
    def _advisory(self) -> Iterator[None]:
        import psycopg

        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self.settings.eventstore_url, autocommit=True)
        connection = self._connection
        try:
            connection.execute("SELECT pg_advisory_lock(%s)", (self.key,))
        except psycopg.OperationalError:
            connection.close()  # the server restarted: the next batch connects again
            raise
        try:
            yield
        finally:
            with contextlib.suppress(psycopg.Error):  # a dropped connection released the lock itself
                connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))

    @contextlib.contextmanager
    def _flock(self) -> Iterator[None]:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.settings.data_dir / "reporting.archive-writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
