"""Common machinery of a locally started server: instance folder, pid file, readiness probe, stop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from vet_devtools.stack.proc import (
    PidRecord,
    StackError,
    port_free,
    spawn_detached,
    stop_pid,
)

T = TypeVar("T")
HOST = "127.0.0.1"


def project_root() -> Path:
    """The repository root (the folder holding infra/kafka/pom.xml); VET_ROOT overrides."""
    if env := os.environ.get("VET_ROOT"):
        return Path(env).resolve()
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in (start, *start.parents):
            if (parent / "infra" / "kafka" / "pom.xml").is_file():
                return parent
    raise StackError("cannot find the repository root (infra/kafka/pom.xml): run from the repository or set VET_ROOT")


def run_async(factory: Callable[[], Coroutine[Any, Any, T]], timeout: float) -> T:
    """Run a coroutine to completion in a fresh event loop on a helper thread (safe inside a running loop)."""
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(asyncio.wait_for(factory(), timeout)))
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, daemon=True, name="vet-stack-probe")
    thread.start()
    thread.join(timeout + 5)
    if error:
        raise error[0]
    if not result:
        raise TimeoutError("probe did not finish")
    return result[0]


class ManagedServer:
    """One server process started detached, recorded in a pid file, probed until ready, stopped by pid."""

    name: str = "server"
    kind: str = "server"
    stop_signal: ClassVar[int] = signal.SIGTERM
    stop_timeout: ClassVar[float] = 20.0
    start_timeout: ClassVar[float] = 60.0
    port_hint: str = ""  # how to choose another port, for the "port taken" message

    def __init__(self, base: Path, name: str | None = None) -> None:
        self.base = Path(base).resolve()
        if name:
            self.name = name
        self.popen: subprocess.Popen[bytes] | None = None

    # -- what subclasses describe ------------------------------------------------------------------------
    def ports(self) -> list[int]:
        return []

    @property
    def url(self) -> str:
        return ""

    def argv(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str] | None:
        return None

    def cwd(self) -> Path | None:
        return None

    def run_as(self) -> str | None:
        return None

    def prepare(self) -> None:
        """Check prerequisites and create files; called before every start."""

    def probe(self) -> bool:
        """One quick health check."""
        raise NotImplementedError

    def after_ready(self) -> None:
        """Called once the first probe succeeded after a start."""

    # -- shared machinery --------------------------------------------------------------------------------
    @property
    def log_path(self) -> Path:
        return self.base / "log" / f"{self.name}.log"

    @property
    def pid_path(self) -> Path:
        return self.base / "run" / f"{self.name}.pid"

    def record(self) -> PidRecord | None:
        """The pid record of our running process, None if not running (a stale pid file is removed)."""
        rec = PidRecord.load(self.pid_path)
        if rec is None:
            return None
        if rec.alive():
            return rec
        with contextlib.suppress(FileNotFoundError):
            self.pid_path.unlink()
        return None

    def running(self) -> bool:
        return self.record() is not None

    def check_ports(self) -> None:
        for port in self.ports():
            if not port_free(HOST, port):
                hint = f" or {self.port_hint}" if self.port_hint else ""
                raise StackError(
                    f"port {port} for {self.name} is taken by another process: stop that process{hint}",
                    self.log_path,
                )

    def start(self) -> None:
        """Start the process in the background unless ours already runs; does not wait for readiness."""
        rec = self.record()
        if rec is not None:
            if rec.ports and rec.ports != self.ports():
                raise StackError(
                    f"{self.name} already runs on port(s) {rec.ports}, not the configured {self.ports()}: "
                    "stop it first (make down)",
                    self.log_path,
                )
            return
        self.prepare()
        self.check_ports()
        self.popen, _ = spawn_detached(
            self.name,
            self.argv(),
            log_path=self.log_path,
            pid_path=self.pid_path,
            env=self.env(),
            cwd=self.cwd(),
            user=self.run_as(),
            ports=self.ports(),
        )

    def exited(self) -> int | None:
        """The exit code if the process we started has ended, else None."""
        if self.popen is not None:
            return self.popen.poll()
        rec = PidRecord.load(self.pid_path)
        if rec is None or not rec.alive():
            return -1
        return None

    def safe_probe(self) -> bool:
        try:
            return self.probe()
        except Exception:
            return False

    def poll_ready(self) -> bool:
        """One readiness check; raises StackError if the process has died."""
        code = self.exited()
        if code is not None:
            raise StackError(f"{self.name} exited during start-up (exit code {code})", self.log_path)
        if self.safe_probe():
            self.after_ready()
            return True
        return False

    def wait_ready(self, timeout: float | None = None) -> float:
        """Block until the probe passes; returns the seconds waited. StackError on death or timeout."""
        timeout = self.start_timeout if timeout is None else timeout
        t0 = time.monotonic()
        while True:
            if self.poll_ready():
                return time.monotonic() - t0
            if time.monotonic() - t0 > timeout:
                raise StackError(f"{self.name} did not become ready within {timeout:.0f}s", self.log_path)
            time.sleep(0.1)

    def stop(self, timeout: float | None = None) -> bool:
        """Stop our process (pid file identity checked); returns False if it was not running."""
        rec = PidRecord.load(self.pid_path)
        stopped = False
        if rec is not None:
            stopped = stop_pid(rec, sig=self.stop_signal, timeout=self.stop_timeout if timeout is None else timeout)
        if self.popen is not None:
            with contextlib.suppress(Exception):
                self.popen.wait(timeout=1)
        with contextlib.suppress(FileNotFoundError):
            self.pid_path.unlink()
        return stopped

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send a signal to the running process (crash tests: `kill(signal.SIGKILL)`). After SIGKILL, wait
        until the process is gone: a `start()` while it still dies would find it "running" and start nothing."""
        rec = self.record()
        if rec is None:
            return
        os.kill(rec.pid, sig)
        deadline = time.monotonic() + 10
        while sig == signal.SIGKILL and rec.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
