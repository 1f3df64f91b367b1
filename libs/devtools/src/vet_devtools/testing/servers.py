"""Pytest plugin: real servers for integration tests, one of each per test session.

Fixtures (session scope): `kafka_bootstrap` ("host:port"), `mongo_url` ("mongodb://..."), `postgres_url`
("postgresql://user:pw@host:port/db"). Each one, in this order of preference:

1. the server named by VET_TEST_KAFKA_BOOTSTRAP / VET_TEST_MONGO_URL / VET_TEST_POSTGRES_URL;
2. a testcontainers container when a Docker engine answers (VET_TEST_NO_DOCKER=1 skips the check);
3. a local server from `vet_devtools.stack` (Kafka from Maven jars, SecantusDB, Debian's PostgreSQL) on free
   ports in a temporary folder, never the user's `make up` stack, stopped at the end of the session.

A server that cannot start fails the fixture (never a skip) with its log path and the log's last lines. Local
servers that the collected tests need are started in the background as soon as collection finishes, so they
boot together while the first (unit) tests run.

Register in the root conftest.py: `pytest_plugins = ["vet_devtools.testing.servers"]`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vet_devtools.stack.base import ManagedServer
from vet_devtools.stack.kafka import KafkaServer, kafka_ready
from vet_devtools.stack.mongo import SecantusServer, mongo_ping
from vet_devtools.stack.postgres import PostgresServer
from vet_devtools.stack.proc import PidRecord, StackError, free_port, free_ports, pid_alive, stop_pid, tail

ENV_VARS = {
    "kafka_bootstrap": "VET_TEST_KAFKA_BOOTSTRAP",
    "mongo_url": "VET_TEST_MONGO_URL",
    "postgres_url": "VET_TEST_POSTGRES_URL",
}

_docker_state: dict[str, bool] = {}


def docker_available(timeout: float = 2.0) -> bool:
    """True if a Docker engine answers a ping within `timeout` seconds (checked once per process)."""
    if "ok" in _docker_state:
        return _docker_state["ok"]
    ok = False
    if os.environ.get("VET_TEST_NO_DOCKER", "").lower() not in ("1", "true", "yes"):
        try:
            import docker

            client = docker.from_env(timeout=int(max(1, timeout)))
            try:
                ok = bool(client.ping())
            finally:
                client.close()
        except Exception:
            ok = False
    _docker_state["ok"] = ok
    return ok


# ---------------------------------------------------------------------------------------------------------
# Local servers (no Docker)


_PREFIX = "vet-test-servers-"


def reap_orphans() -> None:
    """Stop the servers of earlier test sessions that died without cleaning up (kill -9, CI timeout)."""
    for base in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        try:
            owner = int((base / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        if pid_alive(owner):
            continue
        for pid_file in (base / "run").glob("*.pid"):
            rec = PidRecord.load(pid_file)
            if rec is not None:
                with contextlib.suppress(Exception):
                    stop_pid(rec, timeout=5)
        shutil.rmtree(base, ignore_errors=True)


class LocalServers:
    """Local server instances of one test session, all in one temporary folder, each started at most once."""

    def __init__(self) -> None:
        self._base: Path | None = None
        self._lock = threading.Lock()
        self.servers: dict[str, ManagedServer] = {}
        self._starters: dict[str, threading.Thread] = {}
        self._errors: dict[str, BaseException] = {}

    @property
    def base(self) -> Path:
        if self._base is None:
            reap_orphans()
            # Not pytest's tmp_path: that is mode 0700 and the `postgres` user must reach its folder.
            self._base = Path(tempfile.mkdtemp(prefix=_PREFIX))
            (self._base / "owner.pid").write_text(str(os.getpid()))
        return self._base

    def _make(self, fixture: str) -> ManagedServer:
        if fixture == "kafka_bootstrap":
            broker, controller = free_ports(2)
            return KafkaServer(self.base, broker, controller, heap="512m")
        if fixture == "mongo_url":
            return SecantusServer(self.base, free_port(), cache_size="256M")
        if fixture == "postgres_url":
            return PostgresServer(self.base, free_port())
        raise KeyError(fixture)

    def start_in_background(self, fixture: str) -> None:
        """Begin starting the server for `fixture` on a helper thread (no-op if already begun)."""
        with self._lock:
            if fixture in self.servers:
                return
            server = self._make(fixture)
            self.servers[fixture] = server

            def run() -> None:
                try:
                    server.start()
                except BaseException as exc:
                    self._errors[fixture] = exc

            thread = threading.Thread(target=run, name=f"start-{server.name}", daemon=True)
            self._starters[fixture] = thread
            thread.start()

    def ready(self, fixture: str) -> ManagedServer:
        """The server for `fixture`, started and answering; pytest.fail with its log if it cannot start."""
        self.start_in_background(fixture)
        server = self.servers[fixture]
        self._starters[fixture].join()
        try:
            if fixture in self._errors:
                raise self._errors[fixture]
            server.wait_ready()
        except StackError as exc:
            server.stop(timeout=5)
            log = exc.log_path or server.log_path
            pytest.fail(
                f"{exc.message} (log: {log})\n--- last lines of {log} ---\n{tail(log)}",
                pytrace=False,
            )
        return server

    def stop_all(self) -> None:
        for fixture, server in list(self.servers.items()):
            thread = self._starters.get(fixture)
            if thread is not None:
                thread.join(timeout=120)
            with contextlib.suppress(Exception):
                server.stop()
        self.servers.clear()
        if self._base is not None:
            shutil.rmtree(self._base, ignore_errors=True)
            self._base = None


_LOCAL_KEY = pytest.StashKey[LocalServers]()


def _local(config: pytest.Config) -> LocalServers:
    if _LOCAL_KEY not in config.stash:
        config.stash[_LOCAL_KEY] = LocalServers()
    return config.stash[_LOCAL_KEY]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the local servers the selected tests need right away, in parallel, in the background."""
    needed = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    wanted = [f for f in ENV_VARS if f in needed and not os.environ.get(ENV_VARS[f])]
    if not wanted or session.config.option.collectonly or docker_available():
        return
    for fixture in wanted:
        _local(session.config).start_in_background(fixture)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _LOCAL_KEY in config.stash:
        config.stash[_LOCAL_KEY].stop_all()


# ---------------------------------------------------------------------------------------------------------
# Containers (a Docker engine answers)


def _wait(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not become ready within {timeout:.0f}s", pytrace=False)
        time.sleep(0.5)


@contextlib.contextmanager
def _kafka_container() -> Iterator[str]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.docker_client import DockerClient
    from testcontainers.core.waiting_utils import wait_for_logs

    host = DockerClient().host()
    port = free_port()
    image = os.environ.get("VET_TEST_KAFKA_IMAGE", "apache/kafka:4.1.1")
    container = (
        DockerContainer(image)
        .with_bind_ports(9092, port)
        .with_env("KAFKA_NODE_ID", "1")
        .with_env("KAFKA_PROCESS_ROLES", "broker,controller")
        .with_env("KAFKA_LISTENERS", "PLAINTEXT://0.0.0.0:9092,CONTROLLER://localhost:9093")
        .with_env("KAFKA_ADVERTISED_LISTENERS", f"PLAINTEXT://{host}:{port}")
        .with_env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
        .with_env("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT")
        .with_env("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
        .with_env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .with_env("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1")
        .with_env("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .with_env("KAFKA_NUM_PARTITIONS", "6")
        .with_env("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true")
    )
    container.start()
    try:
        wait_for_logs(container, "Kafka Server started", timeout=120, raise_on_exit=True)
        bootstrap = f"{host}:{port}"
        _wait(lambda: kafka_ready(bootstrap), 60, f"Kafka container {image}")
        yield bootstrap
    finally:
        container.stop()


@contextlib.contextmanager
def _mongo_container() -> Iterator[str]:
    from testcontainers.community.mongodb import MongoDbContainer

    with MongoDbContainer(os.environ.get("VET_TEST_MONGO_IMAGE", "mongo:7.0")) as container:
        url = container.get_connection_url()
        _wait(lambda: _safe(lambda: mongo_ping(url)), 60, "MongoDB container")
        yield url


@contextlib.contextmanager
def _postgres_container() -> Iterator[str]:
    from testcontainers.community.postgres import PostgresContainer

    image = os.environ.get("VET_TEST_POSTGRES_IMAGE", "postgres:16-alpine")
    with PostgresContainer(image, username="vet", password="vet", dbname="vet", driver=None) as container:
        yield container.get_connection_url()


def _safe(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except Exception:
        return False


_CONTAINERS: dict[str, Callable[[], contextlib.AbstractContextManager[str]]] = {
    "kafka_bootstrap": _kafka_container,
    "mongo_url": _mongo_container,
    "postgres_url": _postgres_container,
}


# ---------------------------------------------------------------------------------------------------------
# Fixtures


def _server_url(request: pytest.FixtureRequest, fixture: str) -> Iterator[str]:
    if env := os.environ.get(ENV_VARS[fixture]):
        yield env
        return
    if docker_available():
        with _CONTAINERS[fixture]() as url:
            yield url
        return
    local = _local(request.config)
    server = local.ready(fixture)
    try:
        yield _url_of(fixture, server)
    finally:
        server.stop()


def _url_of(fixture: str, server: Any) -> str:
    if fixture == "kafka_bootstrap":
        return str(server.bootstrap)
    return str(server.url)


@pytest.fixture(scope="session")
def kafka_bootstrap(request: pytest.FixtureRequest) -> Iterator[str]:
    """Bootstrap address ("127.0.0.1:port") of a real Kafka broker, shared by the whole session."""
    yield from _server_url(request, "kafka_bootstrap")


@pytest.fixture(scope="session")
def mongo_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a real MongoDB-wire-protocol server (SecantusDB locally), shared by the whole session."""
    yield from _server_url(request, "mongo_url")


@pytest.fixture
async def mongo_db(mongo_url: str) -> AsyncIterator[Any]:
    """A database of its own on the `mongo_url` server (an AsyncDatabase), dropped after the test."""
    from pymongo import AsyncMongoClient

    client: Any = AsyncMongoClient(mongo_url)
    database = client[f"test_{uuid.uuid4().hex[:8]}"]
    try:
        yield database
    finally:
        await client.drop_database(database.name)
        await client.close()


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """postgresql://user:pw@127.0.0.1:port/db of a real, empty PostgreSQL database, shared by the session."""
    yield from _server_url(request, "postgres_url")
