"""SecantusDB: a MongoDB-wire-protocol server (pip package `secantusdb`), persistent on disk."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from vet_devtools.stack.base import HOST, ManagedServer
from vet_devtools.stack.proc import (
    StackError,
    port_open,
)


def mongo_ping(url: str, timeout: float = 1.0) -> bool:
    from pymongo import MongoClient

    client: MongoClient[dict[str, Any]] = MongoClient(
        url, serverSelectionTimeoutMS=int(timeout * 1000), connectTimeoutMS=int(timeout * 1000)
    )
    try:
        return bool(client.admin.command("ping").get("ok"))
    finally:
        client.close()


class SecantusServer(ManagedServer):
    """SecantusDB: a MongoDB-wire-protocol server on WiredTiger, data persistent under `<base>/secantus`."""

    name = "secantus"
    kind = "read models"
    start_timeout = 60.0
    port_hint = "set VET_LOCAL_MONGO_PORT"

    # WiredTiger's cache: at 256M a read model of 200,000 people thrashed (projection fell from 5,000 events/s
    # to a crawl); the machines have 24 GB.
    def __init__(self, base: Path, port: int = 27017, *, cache_size: str = "1G", name: str | None = None):
        super().__init__(base, name)
        self.port = port
        self.cache_size = cache_size

    @property
    def url(self) -> str:
        return f"mongodb://{HOST}:{self.port}/?directConnection=true"

    @property
    def storage_path(self) -> Path:
        return self.base / self.name

    def ports(self) -> list[int]:
        return [self.port]

    def prepare(self) -> None:
        exe = Path(sys.executable).parent / "secantusd-py"
        found = str(exe) if exe.is_file() else shutil.which("secantusd-py")
        if found is None:
            raise StackError("SecantusDB is not installed: run `make setup` (uv sync) and retry", self.log_path)
        self.exe = found
        self.storage_path.mkdir(parents=True, exist_ok=True)

    def argv(self) -> list[str]:
        return [
            self.exe,
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--storage-path",
            str(self.storage_path),
            "--cache-size",
            self.cache_size,
            "--log-level",
            "WARNING",
        ]

    def cwd(self) -> Path:
        return self.storage_path  # so no ./secantusd.toml of the caller's folder is picked up

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONUNBUFFERED": "1"}

    def probe(self) -> bool:
        return port_open(HOST, self.port) and mongo_ping(self.url)
