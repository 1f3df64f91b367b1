"""The relay publishes every event once acknowledged, in notification order, and resumes where it left off;
it stops, loudly, at an event it cannot translate."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from pydantic import BaseModel

from vet_common.api import add_common_routes
from vet_common.relay import InMemoryPublisher, Relay
from vet_common.translation import Publish, TranslationTable
from vet_contracts import PublicEvent
from vet_devtools.testing.apps import Counter, CounterApplication, translate_counter

TOPIC = "vet.test.v1"


def make_app(tmp_path: Path) -> CounterApplication:
    return CounterApplication.in_directory(tmp_path)


async def test_publishes_in_notification_order_and_resumes_after_restart(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    counters = [Counter(region="350102001001") for _ in range(3)]
    for counter in counters:
        counter.increment()
    app.save(*counters)
    publisher = InMemoryPublisher()
    relay = Relay(app, translate_counter, publisher, TOPIC, batch_size=4)

    assert await relay.run_once() == 4
    assert await relay.run_once() == 2
    assert await relay.run_once() == 0
    positions = [e.source_position for e in publisher.published[TOPIC]]
    assert positions == [1, 2, 3, 4, 5, 6]
    for counter in counters:
        versions = [e.aggregate_version for e in publisher.published[TOPIC] if e.aggregate_id == str(counter.id)]
        assert versions == [1, 2]

    # A new process (new application, new relay) continues after the last acknowledged position.
    counters[0].increment()
    app.save(counters[0])
    app.close()
    restarted = make_app(tmp_path)
    second = InMemoryPublisher()
    assert await Relay(restarted, translate_counter, second, TOPIC).run_once() == 1
    assert [e.source_position for e in second.published[TOPIC]] == [7]


async def test_nothing_is_lost_when_the_broker_fails_before_acknowledging(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.save(Counter(region="350102001001"))
    publisher = InMemoryPublisher(fail_next=1)
    relay = Relay(app, translate_counter, publisher, TOPIC)

    with pytest.raises(ConnectionError):
        await relay.run_once()
    assert relay.position() == 0

    assert await relay.run_once() == 1
    assert [e.source_position for e in publisher.published[TOPIC]] == [1]


async def test_a_crash_between_acknowledgement_and_checkpoint_republishes_with_the_same_event_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    app.save(Counter(region="350102001001"))
    publisher = InMemoryPublisher()
    relay = Relay(app, translate_counter, publisher, TOPIC)

    def crash(*_: object) -> None:
        raise RuntimeError("process died before saving the position")

    monkeypatch.setattr(app.process_recorder, "insert_tracking", crash)
    with pytest.raises(RuntimeError):
        await relay.run_once()
    monkeypatch.undo()

    assert await relay.run_once() == 1
    first, again = publisher.published[TOPIC]
    assert first.event_id == again.event_id  # consumers recognise the duplicate
    assert relay.position() == 1


class CounterStartedData(BaseModel):
    region: str


class CounterStarted(PublicEvent):
    type: Literal["CounterStarted"]
    data: CounterStartedData


STARTED, INCREMENTED = Counter.Started, Counter.Incremented  # type: ignore[attr-defined]
PUBLISH_STARTED = Publish(CounterStarted, lambda e, _: {"region": e.region})
# What the code knows at first: nothing about Counter.Incremented.
UNAWARE = TranslationTable(source="counter", published={STARTED: PUBLISH_STARTED})
FIXED = TranslationTable(source="counter", published={STARTED: PUBLISH_STARTED}, internal={INCREMENTED})


def stalled_gauge() -> float | None:
    return REGISTRY.get_sample_value("vet_relay_stalled", {"service": "registry"})


class ReadModels:
    async def command(self, name: str) -> dict[str, int]:
        return {"ok": 1}


async def test_an_event_it_cannot_translate_stops_the_relay_there_until_a_fixed_worker_restarts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(tmp_path)
    first, second = Counter(region="350102001001"), Counter(region="350102001002")
    first.increment()
    app.save(first)  # notifications 1 (Started) and 2 (Incremented)
    app.save(second)  # notification 3
    publisher = InMemoryPublisher()
    relay = Relay(app, UNAWARE.translator(app), publisher, TOPIC)

    assert await relay.run_once() == 1
    for _ in range(3):  # the poll loop keeps calling: nothing more is published, nothing is skipped
        assert await relay.run_once() == 0
    assert [e.source_position for e in publisher.published[TOPIC]] == [1]
    assert relay.position() == 1
    assert relay.stalled == "stopped at notification 2: no translation for Counter.Incremented"
    assert stalled_gauge() == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "notification 2" in errors[0].getMessage()

    health = FastAPI()
    health.state.settings, health.state.application, health.state.db = app.settings, app, ReadModels()
    health.state.checks = {"relay": relay.health}
    add_common_routes(health, "registry-worker")
    with TestClient(health) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["relay"] == "stopped at notification 2: no translation for Counter.Incremented"

    # The code is fixed (Incremented is internal) and the worker restarted: it carries on from notification 2.
    restarted = Relay(app, FIXED.translator(app), publisher, TOPIC)
    assert stalled_gauge() == 0
    assert restarted.health() == "ok"
    assert await restarted.run_once() == 2
    assert [e.source_position for e in publisher.published[TOPIC]] == [1, 3]
    assert restarted.position() == 3


async def test_data_that_does_not_fit_its_public_model_stops_the_relay_too(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.save(Counter(region="350102001001"))
    broken = TranslationTable(source="counter", published={STARTED: Publish(CounterStarted, lambda e, _: {})})
    relay = Relay(app, broken.translator(app), InMemoryPublisher(), TOPIC)

    assert await relay.run_once() == 0
    assert relay.stalled is not None
    assert relay.stalled.startswith("stopped at notification 1: cannot translate Counter.Started")
    assert relay.position() == 0
