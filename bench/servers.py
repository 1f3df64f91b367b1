"""The servers a benchmark runs against: VET_BENCH_POSTGRES_URL and VET_BENCH_MONGO_URL, or its own, started in
`workdir` and stopped when `stack` closes."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path


def bench_servers(stack: ExitStack, workdir: Path, postgres: bool = True) -> tuple[str | None, str]:
    """(PostgreSQL URL or None when not wanted, MongoDB-wire URL)."""
    from vet_devtools.stack import PostgresServer, SecantusServer, free_port

    postgres_url = os.environ.get("VET_BENCH_POSTGRES_URL") if postgres else None
    mongo_url = os.environ.get("VET_BENCH_MONGO_URL")
    if postgres and not postgres_url:
        server = PostgresServer(workdir, free_port(), durable=True, name="bench-postgres")
        server.start()
        server.wait_ready()
        stack.callback(server.stop)
        postgres_url = server.url
    if not mongo_url:
        mongo = SecantusServer(workdir, free_port(), cache_size="2G", name="bench-secantus")
        mongo.start()
        mongo.wait_ready()
        stack.callback(mongo.stop)
        mongo_url = mongo.url
    return postgres_url, mongo_url
