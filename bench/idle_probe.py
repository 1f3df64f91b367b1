"""Probe (not a test): does a read-model client still answer after sitting idle? `python bench/idle_probe.py 450`.

SecantusDB closes a connection left idle for several minutes; a pymongo pool without `maxIdleTimeMS` then hands
out the dead connection once (AutoReconnect "connection is already closed"), which made `/readyz` answer 503
for a healthy api. Run on 2026-12-01 with 450 s idle: the client without the setting failed its first ping,
the client with `maxIdleTimeMS=60000` (what `vet_common.service.mongo_client` sets) did not.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from pymongo import AsyncMongoClient

from vet_devtools.stack.mongo import SecantusServer
from vet_devtools.stack.proc import free_port


async def ping(name: str, client: AsyncMongoClient[dict[str, object]]) -> None:
    try:
        await client["probe"].command("ping")
        print(f"{name}: ok", flush=True)
    except Exception as error:
        print(f"{name}: FAILED {error!r}", flush=True)


async def main(idle_seconds: float) -> None:
    server = SecantusServer(Path(tempfile.mkdtemp(prefix="vet-idle-probe-")), port=free_port())
    server.start()
    try:
        without: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(server.url, serverSelectionTimeoutMS=5000)
        with_idle: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            server.url, serverSelectionTimeoutMS=5000, maxIdleTimeMS=60_000
        )
        await ping("without maxIdleTimeMS, before", without)
        await ping("with maxIdleTimeMS, before", with_idle)
        print(f"idle for {idle_seconds:.0f} s ...", flush=True)
        await asyncio.sleep(idle_seconds)
        await ping("without maxIdleTimeMS, after idle", without)
        await ping("with maxIdleTimeMS, after idle", with_idle)
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 450))
