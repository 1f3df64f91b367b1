"""Readiness tells the truth after the read-model server closed idle connections; /docs needs no CDN."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from registry.service import definition
from vet_common.api import create_api, ping_read_models
from vet_common.settings import Settings

pytestmark = pytest.mark.integration


class ClosingProxy:
    """A TCP proxy to the read-model server that can close every open connection, as an idle timeout does."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers += [client_writer, upstream_writer]

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.close()

        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    def close_connections(self) -> None:
        for writer in self.writers:
            writer.close()
        self.writers.clear()

    async def stop(self) -> None:
        self.close_connections()
        if self.server:
            self.server.close()


async def test_a_ping_after_the_server_closed_idle_connections_is_still_ok(mongo_url: str) -> None:
    target = urlparse(mongo_url)
    proxy = ClosingProxy(target.hostname or "127.0.0.1", target.port or 27017)
    port = await proxy.start()
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{port}/?directConnection=true", serverSelectionTimeoutMS=3000
    )
    try:
        db = client["readiness_check"]
        assert await ping_read_models(db) == "ok"
        proxy.close_connections()  # what the server does to a connection left idle for minutes
        await asyncio.sleep(0.1)
        assert await ping_read_models(db) == "ok"
        assert await ping_read_models(db, attempts=1) == "ok"  # the pool holds a fresh connection again
    finally:
        await client.close()
        await proxy.stop()


async def test_a_server_that_is_gone_is_reported_unavailable() -> None:
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        "mongodb://127.0.0.1:9/?directConnection=true", serverSelectionTimeoutMS=300
    )
    try:
        assert (await ping_read_models(client["x"])).startswith("unavailable")
    finally:
        await client.close()


def test_the_api_docs_load_nothing_from_outside(tmp_path: Path) -> None:
    with TestClient(create_api(definition, Settings.for_service("registry", data_dir=tmp_path))) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert "http://" not in page.text.replace("http://localhost", "")
        assert "https://" not in page.text
        for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
            assert asset in page.text
            assert client.get(asset).status_code == 200
        assert client.get("/redoc").status_code == 404
