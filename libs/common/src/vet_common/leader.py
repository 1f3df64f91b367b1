"""One active relay and projector per service: a leader lock, standby workers wait for it.

`vet rebuild` takes the same lock: while it drops and replays the read models no worker's projector writes
into them (a live projector racing a rebuild once left a village 5 people short), and it refuses while a worker
leads.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Any, Protocol

from vet_common.settings import Settings

WORKER = "relay"  # the worker's leader lock: its leader runs the relay, the projector and the leader tasks


class LeaderLock(Protocol):
    def try_acquire(self) -> bool: ...
    def release(self) -> None: ...
    def holder(self) -> str: ...


class LeaderBusy(RuntimeError):
    """Another process holds the lock an operator command needs; nothing was changed."""


class FileLock:
    """For the SQLite event store: an flock on a file beside the database (released if the process dies)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def holder(self) -> str:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            pid = ""
        return f"the lock file {self.path}" + (f", process {pid}" if pid else "")


class PostgresAdvisoryLock:
    """For PostgreSQL: a session advisory lock, held by a dedicated connection (released if it drops)."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self.key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        self._conn: Any = None

    def try_acquire(self) -> bool:
        import psycopg

        if self._conn is not None and not self._conn.closed:
            return True
        conn = psycopg.connect(self.url, autocommit=True)
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        if row and row[0]:
            self._conn = conn
            return True
        conn.close()
        return False

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def holder(self) -> str:
        return f"the PostgreSQL advisory lock {self.name!r}"


def leader_lock(settings: Settings, role: str) -> LeaderLock:
    name = f"vet.{settings.service}.{role}"
    if settings.uses_postgres:
        return PostgresAdvisoryLock(settings.eventstore_url, name)
    return FileLock(settings.data_dir / f"{settings.service}.{role}.lock")


def take_worker_lead(settings: Settings, command: str) -> LeaderLock:
    """The worker's leader lock, for an operator command that writes what the leading worker writes (release it
    when done); LeaderBusy, naming what to stop, while a worker leads."""
    lock = leader_lock(settings, WORKER)
    if lock.try_acquire():
        return lock
    service = settings.service
    raise LeaderBusy(
        f"{service}: another process leads {service} ({lock.holder()}): a {service} worker, whose projector writes "
        f"the read models `{command}` would drop, or another `{command}`. Nothing was changed. Stop every "
        f"{service} worker (`docker compose stop {service}-worker`, or end `python -m {service} worker`), run "
        f"`{command}` again, then start the workers"
    )
