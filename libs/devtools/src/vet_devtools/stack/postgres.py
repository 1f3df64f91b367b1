"""A throw-away PostgreSQL cluster from Debian's binaries (the event stores' second backend in tests)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

from vet_devtools.stack.base import HOST, ManagedServer
from vet_devtools.stack.proc import (
    StackError,
    port_open,
)


def find_postgres_bindir() -> Path | None:
    """Folder with `initdb` and `postgres`: $VET_PG_BINDIR, /usr/lib/postgresql/<newest>/bin, PATH."""
    candidates: list[Path] = []
    if env := os.environ.get("VET_PG_BINDIR"):
        candidates.append(Path(env))
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10)
            candidates.append(Path(out.stdout.strip()))
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for c in candidates:
        if (c / "initdb").is_file() and (c / "postgres").is_file():
            return c
    return None


class PostgresServer(ManagedServer):
    """A throw-away PostgreSQL cluster (initdb into `<base>/postgres`), run as user `postgres` if root."""

    name = "postgres"
    kind = "event stores"
    stop_signal = signal.SIGINT  # "fast" shutdown: SIGTERM would wait for every client to disconnect
    stop_timeout = 15.0
    start_timeout = 60.0

    def __init__(
        self,
        base: Path,
        port: int = 5432,
        *,
        user: str = "vet",
        password: str = "vet",
        database: str = "vet",
        durable: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(base, name)
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.durable = durable
        self.os_user: str | None = "postgres" if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{HOST}:{self.port}/{self.database}"

    @property
    def admin_url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{HOST}:{self.port}/postgres"

    @property
    def home(self) -> Path:
        return self.base / self.name

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def ports(self) -> list[int]:
        return [self.port]

    def run_as(self) -> str | None:
        return self.os_user

    def _ensure_os_user(self) -> None:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            useradd = shutil.which("useradd") or "/usr/sbin/useradd"
            proc = subprocess.run(
                [
                    useradd,
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    "postgres",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise StackError(
                    f"PostgreSQL will not run as root; `useradd postgres` failed: {proc.stderr.strip()}",
                    self.log_path,
                ) from None

    def prepare(self) -> None:
        bindir = find_postgres_bindir()
        if bindir is None:
            raise StackError(
                "PostgreSQL server binaries not found: install them (apt-get install -y postgresql) "
                "or set VET_PG_BINDIR",
                self.log_path,
            )
        self.bindir = bindir
        self.home.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self.os_user is not None:
            self._ensure_os_user()
            pw = pwd.getpwnam(self.os_user)
            for d in (self.base, self.base / "log"):  # let the postgres user reach its folder
                d.chmod(d.stat().st_mode | 0o711)
            os.chown(self.home, pw.pw_uid, pw.pw_gid)
        if (self.data_dir / "PG_VERSION").is_file():
            return
        pwfile = self.home / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self.os_user is not None:
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        argv = [
            str(bindir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]
        with open(self.log_path, "ab") as log:
            proc = subprocess.run(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
                user=self.os_user,
                cwd=self.home,
                timeout=120,
            )
        pwfile.unlink()
        if proc.returncode != 0:
            raise StackError("initdb failed", self.log_path)

    def argv(self) -> list[str]:
        argv = [
            str(self.bindir / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-k",
            str(self.home),
            "-c",
            f"listen_addresses={HOST}",
            "-c",
            "max_connections=200",
        ]
        if not self.durable:
            for setting in ("fsync=off", "synchronous_commit=off", "full_page_writes=off"):
                argv += ["-c", setting]
        return argv

    def cwd(self) -> Path:
        return self.home

    def probe(self) -> bool:
        if not port_open(HOST, self.port):
            return False
        import psycopg

        with psycopg.connect(self.admin_url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True

    def after_ready(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_url, connect_timeout=5, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
