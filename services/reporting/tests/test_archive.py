"""The audit archive keeps each integration event exactly once, in a hash chain per record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from faststream.kafka import TestKafkaBroker

from reporting.application import ReportingApplication
from reporting.domain import TamperedArchive
from reporting.service import archive_handler
from vet_common.settings import Settings
from vet_common.subscriber import dlq_topic, make_broker, subscribe
from vet_contracts import Actor, IntegrationEvent


def envelope(position: int, aggregate_id: str = "p-1", type_: str = "PersonRegistered") -> IntegrationEvent:
    return IntegrationEvent.build(
        type=type_,
        source="registry",
        source_position=position,
        aggregate_id=aggregate_id,
        aggregate_version=1,
        occurred_at=datetime(2026, 8, 1, tzinfo=UTC),
        actor=Actor(sub="staff-1", role="station_staff"),
        region="350102001001",
        data={"person_id": aggregate_id},
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.for_service("reporting", data_dir=tmp_path, max_delivery_attempts=2)


@pytest.fixture
def reporting(settings: Settings) -> ReportingApplication:
    return ReportingApplication(settings)


def test_a_redelivered_event_is_archived_once(reporting: ReportingApplication) -> None:
    assert reporting.archive(envelope(1)) is True
    assert reporting.archive(envelope(1)) is False
    record = reporting.get_record("p-1")
    assert record is not None
    assert [e["envelope"]["source_position"] for e in record.entries] == [1]


def test_events_from_different_partitions_may_arrive_out_of_order(reporting: ReportingApplication) -> None:
    assert reporting.archive(envelope(5, "p-5")) is True
    assert reporting.archive(envelope(3, "p-3")) is True
    assert reporting.archive(envelope(3, "p-3")) is False


def test_the_chain_detects_an_altered_entry(reporting: ReportingApplication) -> None:
    reporting.archive(envelope(1))
    reporting.archive(envelope(2, type_="PersonUpdated"))
    record = reporting.get_record("p-1")
    assert record is not None
    record.verify()
    record.entries[0]["envelope"]["region"] = "440402001001"
    with pytest.raises(TamperedArchive, match="entry 1"):
        record.verify()


async def test_subscriber_commits_once_and_dead_letters_a_poison_message(
    settings: Settings, reporting: ReportingApplication
) -> None:
    broker = make_broker(settings)
    topic = settings.topic("registry")
    subscribe(broker, settings, [topic], archive_handler(reporting), retry_delay=0)
    dead: list[bytes] = []

    @broker.subscriber(dlq_topic(topic))
    async def collect(body: bytes) -> None:
        dead.append(body)

    async with TestKafkaBroker(broker) as test_broker:
        message = envelope(7, "p-7")
        for _ in range(2):  # the same event delivered twice
            await test_broker.publish(message.to_bytes(), topic=topic, key=b"p-7")
        await test_broker.publish(b"{not json", topic=topic, key=b"bad")

    record = reporting.get_record("p-7")
    assert record is not None
    assert len(record.entries) == 1
    assert dead == [b"{not json"]
