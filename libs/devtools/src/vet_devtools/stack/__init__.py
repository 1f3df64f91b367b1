"""Real local servers without Docker, for `vet up` and the test fixtures.

- `up()`, `down()`, `status()`: the whole platform on this machine (see `local.py`).
- `KafkaServer`, `SecantusServer`, `PostgresServer`, `ServiceProcess`: one server each, in an instance
  folder of your choice (tests use a temporary one): `start()`, `wait_ready()`, `stop()`, `kill()`.
"""

from vet_devtools.stack.base import ManagedServer, project_root, run_async
from vet_devtools.stack.kafka import KafkaServer, ensure_kafka_jars, kafka_ready
from vet_devtools.stack.local import LocalStack, down, status, up
from vet_devtools.stack.mongo import SecantusServer, mongo_ping
from vet_devtools.stack.postgres import PostgresServer, find_postgres_bindir
from vet_devtools.stack.proc import StackError, free_port, free_ports, port_free, port_open, tail
from vet_devtools.stack.services import ServiceProcess, http_ok

__all__ = [
    "KafkaServer",
    "LocalStack",
    "ManagedServer",
    "PostgresServer",
    "SecantusServer",
    "ServiceProcess",
    "StackError",
    "down",
    "ensure_kafka_jars",
    "find_postgres_bindir",
    "free_port",
    "free_ports",
    "http_ok",
    "kafka_ready",
    "mongo_ping",
    "port_free",
    "port_open",
    "project_root",
    "run_async",
    "status",
    "tail",
    "up",
]
