"""The same pipeline with every service's event store on PostgreSQL (production's choice), crash included."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from vet_devtools.testing.platform import Platform, new_database
from vet_devtools.testing.scenarios import Pipeline, register_many, summary, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def postgres_platform(
    kafka_bootstrap: str, mongo_url: str, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    running = Platform(
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        workdir=Path(tmp_path_factory.mktemp("platform-pg")),
        topic_prefix=f"pg{uuid.uuid4().hex[:6]}.",
        eventstore_url=new_database(postgres_url, f"vet_e2e_{uuid.uuid4().hex[:8]}"),
    )
    try:
        running.start_all()
        yield running
    finally:
        running.stop_all()


def test_postgres_event_stores_survive_a_killed_relay(postgres_platform: Platform) -> None:
    platform = postgres_platform

    async def scenario() -> list[str]:
        first = await register_many(platform, range(300, 330))
        platform.kill("registry", "worker")
        return first + await register_many(platform, range(330, 360))

    ids = asyncio.run(scenario())
    assert len(set(ids)) == 60
    platform.start("registry", "worker")
    platform.wait_healthy("registry", "worker")
    wait_until(lambda: summary(platform)["persons"] >= 60, 60, "60 people in reporting")
    with Pipeline(platform, "registry", "reporting") as pipeline:
        wait_until(pipeline.settled, 60, "the relay, reporting's consumer and its projector at their ends")
    assert summary(platform)["persons"] == 60
    assert "equal a full replay" in platform.run("registry", "verify").stdout
