"""Apache Kafka 4.1 in KRaft combined mode, run from Maven Central jars with the machine's Java."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from vet_devtools.stack.base import HOST, ManagedServer, project_root, run_async
from vet_devtools.stack.proc import (
    StackError,
    port_open,
)


def kafka_lib_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / ".local" / "kafka" / "lib"


def ensure_kafka_jars(root: Path | None = None, log_path: Path | None = None) -> Path:
    """Copy Kafka's jars from Maven Central into .local/kafka/lib once (again only when the POM changes)."""
    return ensure_jars("kafka", "kafka_2.13-*.jar", root, log_path)


def ensure_jars(component: str, marker: str, root: Path | None = None, log_path: Path | None = None) -> Path:
    """Copy the jars infra/<component>/pom.xml names into .local/<component>/lib once (again when the POM
    changes); `marker` is a glob of a jar that must be there."""
    root = root or project_root()
    pom = root / "infra" / component / "pom.xml"
    lib = root / ".local" / component / "lib"
    stamp = lib / ".pom.sha256"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text().strip() == digest and any(lib.glob(marker)):
        return lib
    log_path = log_path or root / ".local" / "log" / "maven.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    lib.mkdir(parents=True, exist_ok=True)
    with open(lib.parent / "lib.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be fetching the same jars right now
        if stamp.is_file() and stamp.read_text().strip() == digest:
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise StackError(
                f"Maven is needed once to fetch the {component} jars: install it (apt-get install -y maven), retry",
                log_path,
            )
        for old in lib.glob("*.jar"):  # no stale versions on the class path
            old.unlink()
        with open(log_path, "ab") as log:
            proc = subprocess.run(
                [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies"],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=root,
                check=False,
            )
        if proc.returncode != 0 or not any(lib.glob(marker)):
            raise StackError(
                f"fetching the {component} jars with Maven failed: check network access to Maven Central and retry",
                log_path,
            )
        stamp.write_text(digest + "\n")
    return lib


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", version))


def kafka_classpath(lib: Path) -> str:
    """All jars in `lib`, keeping only the newest version of each artifact."""
    best: dict[str, tuple[tuple[tuple[int, int | str], ...], Path]] = {}
    for jar in sorted(lib.glob("*.jar")):
        m = re.match(r"(.+?)-(\d[\w.\-]*)\.jar$", jar.name)
        artifact, version = (m.group(1), m.group(2)) if m else (jar.stem, "0")
        key = _version_key(version)
        if artifact not in best or key > best[artifact][0]:
            best[artifact] = (key, jar)
    return os.pathsep.join(str(j) for _, j in sorted(best.values(), key=lambda kv: kv[1].name))


def random_kafka_cluster_id() -> str:
    """Like `kafka-storage random-uuid`: base64url of 16 random bytes, no padding, not starting with '-'."""
    while True:
        cid = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


async def _kafka_metadata(bootstrap: str) -> int:
    from aiokafka.client import AIOKafkaClient

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, metadata_max_age_ms=1000)
    try:
        await client.bootstrap()
        metadata = await client.fetch_all_metadata()
        return len(metadata.brokers())
    finally:
        await client.close()


async def _topic_names(bootstrap: str) -> set[str]:
    from aiokafka.client import AIOKafkaClient

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, metadata_max_age_ms=1000)
    try:
        await client.bootstrap()
        metadata = await client.fetch_all_metadata()
        return set(metadata.topics())
    finally:
        await client.close()


def kafka_topics(bootstrap: str, timeout: float = 5.0) -> set[str]:
    """The topics the broker at `bootstrap` has; empty if it does not answer."""
    try:
        return run_async(lambda: _topic_names(bootstrap), timeout)
    except Exception:
        return set()


def kafka_ready(bootstrap: str, timeout: float = 5.0) -> bool:
    """True if the broker at `bootstrap` answers a metadata request listing at least one broker."""
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    if not port_open(host or HOST, int(port)):
        return False
    import logging

    aiokafka_log = logging.getLogger("aiokafka")
    previous = aiokafka_log.level
    aiokafka_log.setLevel(logging.CRITICAL)  # a broker still starting makes aiokafka log errors
    try:
        return run_async(lambda: _kafka_metadata(bootstrap), timeout) > 0
    except Exception:
        return False
    finally:
        aiokafka_log.setLevel(previous)


class KafkaServer(ManagedServer):
    """Apache Kafka 4.1 in KRaft combined mode (broker + controller), single node on 127.0.0.1."""

    name = "kafka"
    kind = "broker"
    start_timeout = 90.0
    stop_timeout = 30.0
    port_hint = "set VET_LOCAL_KAFKA_PORT / VET_LOCAL_KAFKA_CONTROLLER_PORT"

    def __init__(
        self,
        base: Path,
        port: int = 9092,
        controller_port: int = 9093,
        *,
        root: Path | None = None,
        heap: str = "512m",
        extra_config: dict[str, str] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(base, name)
        self.port = port
        self.controller_port = controller_port
        self.root = root or project_root()
        self.heap = heap
        self.extra_config = extra_config or {}

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return self.bootstrap

    @property
    def data_dir(self) -> Path:
        return self.base / self.name / "data"

    @property
    def config_path(self) -> Path:
        return self.base / self.name / "server.properties"

    def ports(self) -> list[int]:
        return [self.port, self.controller_port]

    def config(self) -> dict[str, str]:
        config = {
            "process.roles": "broker,controller",
            "node.id": "1",
            # A static quorum: the storage does not record the controller's address, so ports may change.
            "controller.quorum.voters": f"1@{HOST}:{self.controller_port}",
            "listeners": f"PLAINTEXT://{HOST}:{self.port},CONTROLLER://{HOST}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            "num.partitions": "6",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "12",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "6",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            "delete.topic.enable": "true",
            "log.retention.hours": "168",
            "log.segment.bytes": str(64 * 1024 * 1024),
        }
        config.update(self.extra_config)
        return config

    def prepare(self) -> None:
        java = shutil.which("java")
        if java is None:
            raise StackError(
                "Java 17+ is needed to run Kafka: install it (apt-get install -y openjdk-17-jre-headless)",
                self.log_path,
            )
        self.java = java
        self.classpath = kafka_classpath(ensure_kafka_jars(self.root, self.base / "log" / "maven.log"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text("".join(f"{k}={v}\n" for k, v in self.config().items()))
        if not (self.data_dir / "meta.properties").is_file():
            self._format()

    def _java_argv(self, main: str, *args: str, jvm: tuple[str, ...] = ("-Xmx256m",)) -> list[str]:
        log4j = self.root / "infra" / "kafka" / "log4j2.properties"
        return [
            self.java,
            *jvm,
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}",
            f"-Dkafka.log.file={self.log_path}",
            f"-Dkafka.logs.dir={self.log_path.parent}",
            "-cp",
            self.classpath,
            main,
            *args,
        ]

    def _format(self) -> None:
        argv = self._java_argv(
            "kafka.tools.StorageTool", "format", "-t", random_kafka_cluster_id(), "-c", str(self.config_path)
        )
        with open(self.log_path, "ab") as log:
            proc = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, check=False, timeout=120)
        if proc.returncode != 0:
            raise StackError("formatting Kafka's storage failed", self.log_path)

    def argv(self) -> list[str]:
        jvm = (f"-Xmx{self.heap}", f"-Xms{min(256, _mib(self.heap))}m")
        return self._java_argv("kafka.Kafka", str(self.config_path), jvm=jvm)

    def probe(self) -> bool:
        return kafka_ready(self.bootstrap, timeout=5.0)


def _mib(size: str) -> int:
    size = size.strip().lower()
    factor = {"g": 1024, "m": 1, "k": 1 / 1024}.get(size[-1:], 1 / (1024 * 1024))
    return max(1, int(float(size.rstrip("gmk")) * factor))


def main() -> int:
    """`python -m vet_devtools.stack jars`: fetch the Kafka and MirrorMaker 2 jars if needed (`make setup`)."""
    try:
        lib = ensure_kafka_jars()
        mirror = ensure_jars("mirrormaker", "connect-mirror-*.jar")
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Kafka jars: {lib}\nMirrorMaker 2 jars: {mirror}")
    return 0
