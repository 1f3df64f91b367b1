"""The relay publishes every event once acknowledged, in notification order, and resumes where it left off."""

from __future__ import annotations

from pathlib import Path

import pytest

from vet_common.relay import InMemoryPublisher, Relay
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
