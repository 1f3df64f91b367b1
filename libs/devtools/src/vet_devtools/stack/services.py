"""The platform's own processes: `python -m <service> api|worker`."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from vet_devtools.stack.base import HOST, ManagedServer
from vet_devtools.stack.proc import (
    StackError,
)


def http_ok(url: str, timeout: float = 1.0) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


class ServiceProcess(ManagedServer):
    """`python -m <service> api|worker`, healthy when GET http://127.0.0.1:<port>/healthz answers 200."""

    kind = "service"
    start_timeout = 90.0
    stop_timeout = 15.0

    def __init__(
        self,
        base: Path,
        service: str,
        role: str,
        port: int,
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(base, name or f"{service}-{role}")
        self.service = service
        self.role = role
        self.port = port
        self._env = env
        self._cwd = cwd
        self.port_hint = "set VET_API_PORT for that service"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def health_url(self) -> str:
        return f"{self.url}/healthz"

    def ports(self) -> list[int]:
        return [self.port]

    def prepare(self) -> None:
        if (
            importlib.util.find_spec(self.service) is None
            or importlib.util.find_spec(f"{self.service}.__main__") is None
        ):
            raise StackError(
                f"service {self.service} cannot be run (no {self.service}/__main__.py): run `make setup`",
                self.log_path,
            )

    def argv(self) -> list[str]:
        return [sys.executable, "-m", self.service, self.role]

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONUNBUFFERED": "1", **(self._env or {})}

    def cwd(self) -> Path | None:
        return self._cwd

    def probe(self) -> bool:
        return http_ok(self.health_url)
