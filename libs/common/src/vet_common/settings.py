"""Settings for every process, from environment variables prefixed VET_, with working local defaults."""

from __future__ import annotations

import base64
import hashlib
from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("registry", "outreach", "assistance", "reporting")
DEFAULT_API_PORTS = {"registry": 8101, "outreach": 8102, "assistance": 8103, "reporting": 8104}
# A worker serves /healthz, /readyz and /metrics on its API port + 10.
WORKER_PORT_OFFSET = 10

DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef"
DEV_CIPHER_KEY = base64.b64encode(hashlib.sha256(b"dev-only-cipher-key").digest()).decode()
DEV_ARCHIVE_SEAL_KEY = "dev-only-archive-seal-key-change-me"


class Environment(StrEnum):
    development = "development"
    production = "production"


class Settings(BaseSettings):
    """One settings object per process; `Settings.for_service("registry")` fills the service defaults."""

    model_config = SettingsConfigDict(env_prefix="VET_", extra="ignore")

    env: Environment = Environment.development
    service: Literal["registry", "outreach", "assistance", "reporting"] = "registry"
    log_level: str = "INFO"

    # Where local files (SQLite event stores, leader locks) live when nothing else is configured.
    data_dir: Path = Path(".local/data")

    # Event store: empty means an SQLite file per service under data_dir;
    # postgresql://user:password@host:port/dbname uses PostgreSQL (schema per service).
    eventstore_url: str = ""
    # Concurrent commands' events saved in one transaction (vet_common.groupcommit); off: one each.
    group_commit: bool = True
    # AES key (base64 of 16, 24 or 32 bytes) encrypting event bodies at rest.
    cipher_key: str = ""

    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_partitions: int = 6
    # Lets tests (or a shared cluster) keep topics apart: "t1." gives "t1.vet.registry.v1".
    topic_prefix: str = ""
    # Consumer group id base; a service's group is f"{consumer_group_prefix}{service}".
    consumer_group_prefix: str = "vet."
    # A message that fails this many times goes to <topic>.dlq.
    max_delivery_attempts: int = 5
    # The region this deployment answers for (a city "3501", a province "35"); empty: the whole country.
    # Its consumers refuse (dead-letter) an event whose region lies outside it.
    jurisdiction: str = ""
    # Regions whose deployments' topics MirrorMaker 2 copies into this Kafka ("3501,3502"): their topics
    # are "<region>.vet.<service>.v1", consumed beside this deployment's own, and an event on them must
    # belong to that region.
    mirrored_sources: str = ""

    mongo_url: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    # Read-model database name; empty means f"vet_{service}".
    read_model_db: str = ""

    # The registry's API, for the one thing another service asks it directly: personal data in clear for an
    # export that must hold it (assistance's bank file), with the caller's own token and a stated purpose.
    registry_url: str = f"http://127.0.0.1:{DEFAULT_API_PORTS['registry']}"

    api_host: str = "127.0.0.1"
    # API processes on the one port (uvicorn's workers), a core each. They share the event store: with SQLite,
    # one writer at a time, taking turns (vet_common/sqliterecorder.py).
    api_workers: int = Field(default=1, ge=1)
    api_port: int = 0  # 0 means the service's default (8101..8104)

    jwt_secret: str = ""
    jwt_issuer: str = "vet-platform"
    jwt_ttl_seconds: int = 8 * 3600

    # How often the relay and projector poll the notification log when idle.
    poll_interval_seconds: float = Field(default=0.2, gt=0)

    # Reporting's audit archive: the key of the HMAC sealing its head, every N entries and every S seconds.
    archive_seal_key: str = ""
    archive_seal_every: int = Field(default=1000, ge=1)
    archive_seal_seconds: float = Field(default=60.0, gt=0)
    # Published statistics (?publish=true) suppress counts under this, so a village's figures name nobody.
    publish_threshold: int = Field(default=5, ge=1)

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.env is Environment.production:
            if not self.jwt_secret or self.jwt_secret == DEV_JWT_SECRET:
                raise ValueError("VET_JWT_SECRET must be set to a real secret when VET_ENV=production")
            if not self.cipher_key or self.cipher_key == DEV_CIPHER_KEY:
                raise ValueError("VET_CIPHER_KEY must be set when VET_ENV=production")
            if self.service == "reporting" and self.archive_seal_key in ("", DEV_ARCHIVE_SEAL_KEY):
                raise ValueError("VET_ARCHIVE_SEAL_KEY must be set to a real secret when VET_ENV=production")
        return self

    @classmethod
    def for_service(cls, service: str, **overrides: object) -> Settings:
        return cls(service=service, **overrides)  # type: ignore[arg-type]

    @property
    def effective_jwt_secret(self) -> str:
        return self.jwt_secret or DEV_JWT_SECRET

    @property
    def effective_cipher_key(self) -> str:
        return self.cipher_key or DEV_CIPHER_KEY

    @property
    def effective_archive_seal_key(self) -> bytes:
        return (self.archive_seal_key or DEV_ARCHIVE_SEAL_KEY).encode("utf-8")

    @property
    def effective_api_port(self) -> int:
        return self.api_port or DEFAULT_API_PORTS[self.service]

    @property
    def worker_port(self) -> int:
        return self.effective_api_port + WORKER_PORT_OFFSET

    @property
    def read_model_db_name(self) -> str:
        return self.read_model_db or f"vet_{self.service}"

    def topic(self, service: str) -> str:
        return f"{self.topic_prefix}vet.{service}.v1"

    @property
    def mirrored(self) -> list[str]:
        return [region.strip() for region in self.mirrored_sources.split(",") if region.strip()]

    def consumed_topics(self, services: list[str]) -> list[str]:
        """This deployment's topics of `services`, and the copies of each mirrored deployment's."""
        own = [self.topic(service) for service in services]
        return own + [f"{region}.{topic}" for region in self.mirrored for topic in own]

    def region_allowed(self, topic: str, region: str) -> str | None:
        """None if an event of `region` may arrive on `topic`; else why not (a city cannot write another's)."""
        for source in self.mirrored:
            if topic.startswith(f"{source}."):
                if region.startswith(source):
                    return None
                return f"region {region} is outside {source}, the deployment {topic} is mirrored from"
        if self.jurisdiction and not region.startswith(self.jurisdiction):
            return f"region {region} is outside this deployment's jurisdiction {self.jurisdiction}"
        return None

    @property
    def consumer_group(self) -> str:
        return f"{self.consumer_group_prefix}{self.service}"

    @property
    def uses_postgres(self) -> bool:
        return self.eventstore_url.startswith(("postgres://", "postgresql://"))

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment the eventsourcing library reads to build this service's event store."""
        env = {
            "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": self.effective_cipher_key,
            # Consumers deduplicate by (upstream, position) in any order: Kafka partitions interleave.
            "SINGLE_ROW_TRACKING": "no",
        }
        if self.uses_postgres:
            url = urlparse(self.eventstore_url)
            env.update(
                PERSISTENCE_MODULE="eventsourcing.postgres",
                POSTGRES_DBNAME=url.path.lstrip("/") or "postgres",
                POSTGRES_HOST=url.hostname or "127.0.0.1",
                POSTGRES_PORT=str(url.port or 5432),
                POSTGRES_USER=unquote(url.username or "postgres"),
                POSTGRES_PASSWORD=unquote(url.password or ""),
                POSTGRES_SCHEMA=self.service,
                CREATE_TABLE="y",
                PROCESS_RECORDER_TOPIC="vet_common.pgrecorder:ArrayInsertProcessRecorder",
            )
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            env.update(
                PERSISTENCE_MODULE="vet_common.sqliterecorder:Factory",
                SQLITE_DBNAME=str(self.data_dir / f"{self.service}.sqlite"),
                SQLITE_LOCK_TIMEOUT="10",
            )
        return env
