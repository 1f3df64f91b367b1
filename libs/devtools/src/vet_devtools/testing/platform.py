"""Runs the four services as real processes for end-to-end tests, and can kill -9 and restart any of them."""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx

from vet_common.eventstore import ServiceApplication
from vet_common.settings import SERVICES, Settings


def free_port_block(size: int, start: int = 20000, stop: int = 60000) -> int:
    """A base port such that base..base+size-1 and base+10.. are all free (workers use api port + 10)."""
    for base in range(start + (os.getpid() % 200) * 100, stop, 100):
        ports = [base + i for i in range(size)] + [base + 10 + i for i in range(size)]
        if all(_free(port) for port in ports):
            return base
    raise RuntimeError("no free block of ports")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def new_database(postgres_url: str, name: str) -> str:
    """Create database `name` on the server of `postgres_url`; its URL (a platform's event stores, kept apart)."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(urlparse(postgres_url)._replace(path=f"/{name}"))


@dataclass
class Platform:
    """Processes `python -m <service> api|worker` sharing one Kafka, one MongoDB-wire server and a data dir."""

    kafka_bootstrap: str
    mongo_url: str
    workdir: Path
    topic_prefix: str
    eventstore_url: str = ""
    base_port: int = field(default_factory=lambda: free_port_block(len(SERVICES)))
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. a province's VET_JURISDICTION
    processes: dict[tuple[str, str], subprocess.Popen[bytes]] = field(default_factory=dict)

    def port(self, service: str) -> int:
        return self.base_port + SERVICES.index(service)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.port(service)}"

    def env(self, service: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            VET_KAFKA_BOOTSTRAP=self.kafka_bootstrap,
            VET_MONGO_URL=self.mongo_url,
            VET_DATA_DIR=str(self.workdir / "data"),
            VET_TOPIC_PREFIX=self.topic_prefix,
            VET_CONSUMER_GROUP_PREFIX=f"{self.topic_prefix}vet.",
            VET_READ_MODEL_DB=f"{self.topic_prefix.strip('.')}_{service}",
            VET_API_PORT=str(self.port(service)),
            VET_EVENTSTORE_URL=self.eventstore_url,
            VET_POLL_INTERVAL_SECONDS="0.1",
            VET_REGISTRY_URL=self.url("registry"),
        )
        env.update(self.extra_env)
        return env

    def settings(self, service: str) -> Settings:
        """The settings `service`'s processes run with, for a test that reads their stores directly."""
        values = {key[4:].lower(): value for key, value in self.env(service).items() if key.startswith("VET_")}
        values.pop("service", None)
        return Settings.for_service(service, **values)

    def application(self, service: str) -> ServiceApplication:
        """`service`'s application on the event store its processes use (close it when done)."""
        definition = importlib.import_module(f"{service}.service").definition
        application: ServiceApplication = definition.application_class(self.settings(service))
        return application

    def log_path(self, service: str, role: str) -> Path:
        return self.workdir / "log" / f"{service}-{role}.log"

    def start(self, service: str, role: str) -> None:
        log_path = self.log_path(service, role)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            self.processes[(service, role)] = subprocess.Popen(
                [sys.executable, "-m", service, role],
                env=self.env(service),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_all(self, timeout: float = 90) -> None:
        for service in SERVICES:
            for role in ("api", "worker"):
                self.start(service, role)
        for service in SERVICES:
            for role in ("api", "worker"):
                self.wait_healthy(service, role, timeout)

    def health_url(self, service: str, role: str) -> str:
        port = self.port(service) + (10 if role == "worker" else 0)
        return f"http://127.0.0.1:{port}/healthz"

    def wait_healthy(self, service: str, role: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        process = self.processes[(service, role)]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{service} {role} exited; see {self.log_path(service, role)}")
            try:
                if httpx.get(self.health_url(service, role), timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{service} {role} not healthy; see {self.log_path(service, role)}")

    def kill(self, service: str, role: str) -> None:
        """kill -9: no shutdown hooks, no flushing, exactly like a crash."""
        process = self.processes.pop((service, role))
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self, service: str, role: str) -> None:
        """SIGTERM and wait: the process shuts down as an operator would stop it."""
        process = self.processes.pop((service, role))
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def run(self, service: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", service, *args],
            env=self.env(service),
            capture_output=True,
            text=True,
            timeout=300,
            check=check,
        )
