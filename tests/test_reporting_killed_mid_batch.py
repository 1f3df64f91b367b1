"""Reporting's worker killed with SIGKILL while it archives and counts a backlog from real Kafka (PostgreSQL
event store, as in production and the chaos harness): afterwards its figures equal the events, each event is
archived once, the chain is intact and the counters equal a replay.

This is the focused form of what the chaos harness checks. A backlog of several thousand events keeps the
consumer in the middle of a batch (500 messages archived in one transaction, then counted by the projector)
nearly all the time, so each kill lands inside one. Offsets committed before the batch's archive was durable
would lose events (the figures would stay short); a partly written batch taken as seen on redelivery would too;
counters applied twice would overshoot.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporting.application import ReportingApplication
from vet_common.worker import ensure_topics
from vet_devtools.testing.people import RegistryFeed
from vet_devtools.testing.platform import Platform, new_database
from vet_devtools.testing.scenarios import Pipeline, summary, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(600)]

EVENTS = 6000
VILLAGES = ("350102001001", "350103001002", "350104005001", "350203001001")


@pytest.fixture
def reporting_only(kafka_bootstrap: str, mongo_url: str, postgres_url: str, tmp_path: Path) -> Iterator[Platform]:
    running = Platform(
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        workdir=tmp_path,
        topic_prefix=f"k{uuid.uuid4().hex[:6]}.",
        eventstore_url=new_database(postgres_url, f"vet_kill_{uuid.uuid4().hex[:8]}"),
    )
    try:
        running.start("reporting", "api")
        running.wait_healthy("reporting", "api")
        yield running
    finally:
        running.stop_all()


async def produce_backlog(platform: Platform) -> Counter[str]:
    """EVENTS registrations on the registry's topic, as its relay would publish them; people per county."""
    from aiokafka import AIOKafkaProducer

    settings = platform.settings("reporting")
    await ensure_topics(settings)
    feed = RegistryFeed()
    per_county: Counter[str] = Counter()
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        sent = []
        for n in range(EVENTS):
            region = VILLAGES[n % len(VILLAGES)]
            event = feed.registered(f"p-{n}", region)
            per_county[region[:6]] += 1
            sent.append(
                await producer.send(settings.topic("registry"), event.to_bytes(), key=event.aggregate_id.encode())
            )
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return per_county


def test_reporting_killed_mid_batch_loses_and_doubles_nothing(reporting_only: Platform) -> None:
    platform = reporting_only
    per_county = asyncio.run(produce_backlog(platform))
    archive = platform.application("reporting")
    assert isinstance(archive, ReportingApplication)
    archived = archive.archived
    try:
        for share in (0.15, 0.4):  # killed twice, as in the chaos run, each time with most of the backlog ahead
            before = archived()
            platform.start("reporting", "worker")
            wait_until(
                lambda before=before, share=share: archived() >= max(before + 1, EVENTS * share),
                120,
                f"reporting to archive {share:.0%} of the backlog",
            )
            platform.kill("reporting", "worker")
            assert archived() < EVENTS, "the backlog was archived before the kill: the test proves nothing"
        platform.start("reporting", "worker")
        platform.wait_healthy("reporting", "worker")
        with Pipeline(platform, "registry", "reporting") as pipeline:
            wait_until(pipeline.settled, 300, "reporting's consumer and projector at the end of the backlog")
        assert archived() == EVENTS
        assert summary(platform, "35")["persons"] == EVENTS
        for county, people in per_county.items():
            assert summary(platform, county)["persons"] == people, county
        assert archive.verify_archive().intact
    finally:
        archive.close()
    assert "equal a full replay" in platform.run("reporting", "verify").stdout
