"""Detached server processes: start, remember (pid file), recognise again, stop.

A pid file holds the pid *and* the kernel's start time of that process, so a later `vet down` never signals
an unrelated process that happens to reuse the pid.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class StackError(Exception):
    """A local server could not be prepared, started or stopped; `str()` is a one-line message for humans."""

    def __init__(self, message: str, log_path: Path | None = None) -> None:
        self.message = message
        self.log_path = log_path
        super().__init__(message if log_path is None else f"{message} (log: {log_path})")


def _proc_start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), None if unknown or gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    except OSError:
        return None
    # Field 2 (comm) may contain spaces and parentheses: split after the last ')'.
    fields = raw[raw.rfind(")") + 2 :].split()
    if fields and fields[0] in ("Z", "X"):  # zombie or dead: it no longer runs
        return None
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def _reap(pid: int) -> None:
    """Collect our own exited child so it does not linger as a zombie (no-op for others' processes)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def pid_alive(pid: int, start_ticks: int | None = None) -> bool:
    """True if `pid` runs and (when known) is the same process that was started at `start_ticks`."""
    _reap(pid)
    if Path("/proc").is_dir():
        ticks = _proc_start_ticks(pid)
        if ticks is None:
            return False
        return start_ticks is None or ticks == start_ticks
    try:  # no /proc (macOS): existence is all we can check
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class PidRecord:
    name: str
    pid: int
    start_ticks: int | None
    argv: list[str]
    log: str
    started_at: float
    ports: list[int] = field(default_factory=list)

    def alive(self) -> bool:
        return pid_alive(self.pid, self.start_ticks)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.__dict__, indent=1))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> PidRecord | None:
        try:
            data: dict[str, Any] = json.loads(path.read_text())
            return cls(**data)
        except (FileNotFoundError, ValueError, TypeError):
            return None


def spawn_detached(
    name: str,
    argv: Sequence[str],
    *,
    log_path: Path,
    pid_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    ports: Sequence[int] = (),
) -> tuple[subprocess.Popen[bytes], PidRecord]:
    """Start `argv` in its own session (it outlives us), output appended to `log_path`; write `pid_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {name}: {' '.join(argv)}\n".encode())
        log.flush()
        try:
            popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
                close_fds=True,
                user=user,
            )
        except OSError as exc:
            raise StackError(f"cannot start {name}: {exc}", log_path) from exc
    record = PidRecord(
        name=name,
        pid=popen.pid,
        start_ticks=_proc_start_ticks(popen.pid),
        argv=list(argv),
        log=str(log_path),
        started_at=time.time(),
        ports=list(ports),
    )
    record.save(pid_path)
    return popen, record


def stop_pid(
    record: PidRecord,
    *,
    sig: int = signal.SIGTERM,
    timeout: float = 20.0,
    on_kill: Callable[[], None] | None = None,
) -> bool:
    """Stop the recorded process: `sig` to it, SIGKILL to its process group after `timeout` seconds.

    Returns False if the process was no longer running (nothing was signalled)."""
    if not record.alive():
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(record.pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not record.alive():
            break
        time.sleep(0.05)
    else:
        if on_kill is not None:
            on_kill()
        if record.alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(record.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(record.pid, signal.SIGKILL)
        end = time.monotonic() + 5
        while record.alive() and time.monotonic() < end:
            time.sleep(0.05)
    # Children it left behind in its own session/group (started with start_new_session=True: pgid == pid).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(record.pid, signal.SIGKILL)
    return True


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    """True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_free(host: str, port: int) -> bool:
    """True if we could bind host:port now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct free TCP ports (all held open while choosing, so they differ)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind((host, 0))
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log file (for error messages in tests)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 16384))
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])
