"""Apache Kafka's MirrorMaker 2 as a dedicated process: a city's `vet.*.v1` topics copied into the province's Kafka.

The remote topics on the province's side are named `<city alias>.<topic>` (MirrorMaker's default replication
policy); the alias is the city's region code, so `3501.vet.registry.v1` says both where an event came from and
which jurisdiction its regions must lie in. MirrorMaker copies at least once: after a crash it may copy a few
records again, which consumers drop by `event_id`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from vet_devtools.stack.base import ManagedServer, project_root, run_async
from vet_devtools.stack.kafka import ensure_jars, kafka_classpath, kafka_topics
from vet_devtools.stack.proc import StackError

TOPICS = r"vet\..*\.v1"  # the public topics; dead-letter topics (.dlq) and internal ones stay home


class MirrorMaker(ManagedServer):
    """`org.apache.kafka.connect.mirror.MirrorMaker` with one flow, source alias -> target alias."""

    name = "mirrormaker"
    kind = "mirror"
    start_timeout = 120.0
    stop_timeout = 30.0

    def __init__(
        self,
        base: Path,
        *,
        source_alias: str,
        source_bootstrap: str,
        target_alias: str,
        target_bootstrap: str,
        topics: str = TOPICS,
        root: Path | None = None,
        heap: str = "384m",
        name: str | None = None,
    ) -> None:
        super().__init__(base, name)
        self.source_alias, self.source_bootstrap = source_alias, source_bootstrap
        self.target_alias, self.target_bootstrap = target_alias, target_bootstrap
        self.topics = topics
        self.root = root or project_root()
        self.heap = heap

    @property
    def config_path(self) -> Path:
        return self.base / self.name / "mm2.properties"

    def remote_topic(self, topic: str) -> str:
        """The name `topic` of the source has on the target (DefaultReplicationPolicy)."""
        return f"{self.source_alias}.{topic}"

    def config(self) -> dict[str, str]:
        source, target = self.source_alias, self.target_alias
        single_broker = {
            key: "1"
            for key in (
                "replication.factor",
                "checkpoints.topic.replication.factor",
                "heartbeats.topic.replication.factor",
                "offset-syncs.topic.replication.factor",
                "offset.storage.replication.factor",
                "status.storage.replication.factor",
                "config.storage.replication.factor",
            )
        }
        return {
            "clusters": f"{source}, {target}",
            f"{source}.bootstrap.servers": self.source_bootstrap,
            f"{target}.bootstrap.servers": self.target_bootstrap,
            f"{source}->{target}.enabled": "true",
            f"{source}->{target}.topics": self.topics,
            f"{target}->{source}.enabled": "false",
            # New topics of the city (a service deployed later) are picked up within seconds, not minutes.
            "refresh.topics.interval.seconds": "5",
            # The province's brokers set their own retention; the city's topic settings are not copied.
            "sync.topic.configs.enabled": "false",
            # Save how far it has copied every second, not every minute. Measured with 4.1.1: a process killed
            # with SIGKILL still copies its partitions again from the start when restarted (at least once, as
            # documented): consumers drop the copies by event_id.
            "offset.flush.interval.ms": "1000",
            "sync.topic.acls.enabled": "false",
            "emit.checkpoints.enabled": "true",
            "sync.group.offsets.enabled": "false",
            "emit.heartbeats.interval.seconds": "1",
            # A restarted process is a new member of the flow's worker group: without this, the tasks of the
            # one that died wait up to five minutes (Connect's default) before they are given to it.
            "scheduled.rebalance.max.delay.ms": "2000",
            # Each record is acknowledged by the province before MirrorMaker moves its position on.
            f"{target}.producer.acks": "all",
            f"{target}.producer.enable.idempotence": "true",
            **single_broker,
        }

    def prepare(self) -> None:
        java = shutil.which("java")
        if java is None:
            raise StackError("Java 17+ is needed to run MirrorMaker 2", self.log_path)
        self.java = java
        self.classpath = kafka_classpath(
            ensure_jars("mirrormaker", "connect-mirror-*.jar", self.root, self.base / "log" / "maven.log")
        )
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text("".join(f"{k}={v}\n" for k, v in self.config().items()))
        self._heartbeats_before = heartbeats_written(self.target_bootstrap)

    def argv(self) -> list[str]:
        log4j = self.root / "infra" / "kafka" / "log4j2.properties"
        return [
            self.java,
            f"-Xmx{self.heap}",
            # A mirror of a few topics needs no peak JIT: the quick compiler starts it in less time.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}",
            f"-Dkafka.log.file={self.log_path}",
            "-cp",
            self.classpath,
            "org.apache.kafka.connect.mirror.MirrorMaker",
            str(self.config_path),
        ]

    def probe(self) -> bool:
        """Ready once this start has written a heartbeat into the target: the flow is configured and running
        (the topic alone would not do: it outlives the process)."""
        before = getattr(self, "_heartbeats_before", 0)
        return heartbeats_written(self.target_bootstrap) > before


def heartbeats_written(bootstrap: str) -> int:
    """How many heartbeats MirrorMaker has written into the cluster at `bootstrap` (0 before the first)."""
    if "heartbeats" not in kafka_topics(bootstrap):
        return 0
    return run_async(lambda: _end_offset(bootstrap, "heartbeats"), 10.0)


async def _end_offset(bootstrap: str, topic: str) -> int:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or {0}]
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()
