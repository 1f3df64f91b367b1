"""One contract, two event stores: SQLite (the embedded default) and PostgreSQL behave the same."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from vet_common.leader import leader_lock
from vet_common.relay import InMemoryPublisher, Relay
from vet_common.settings import Settings
from vet_devtools.testing.apps import Counter, CounterApplication, translate_counter

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings.for_service("registry", data_dir=tmp_path)
    postgres_url: str = request.getfixturevalue("postgres_url")
    return Settings.for_service("registry", data_dir=tmp_path, eventstore_url=postgres_url)


@pytest.fixture
def app(settings: Settings) -> Iterator[CounterApplication]:
    application = CounterApplication(settings)
    yield application
    application.close()


def test_saves_and_reloads_an_aggregate_with_encrypted_bodies(app: CounterApplication) -> None:
    counter = Counter(region="350102001001")
    counter.increment()
    app.save(counter)
    assert app.repository.get(counter.id).value == 1
    stored = app.process_recorder.select_notifications(None, 10)
    assert b"350102001001" not in stored[0].state  # AES-GCM at rest


def test_a_batch_of_many_aggregates_gets_its_notification_ids_in_order(app: CounterApplication) -> None:
    # PostgreSQL's recorder inserts a batch as plain arrays (vet_common.pgrecorder), SQLite's as multi-row INSERTs
    # of 240 rows (vet_common.sqliterecorder): every event stored, in order, with the ids the save reported.
    counters = [Counter(region=f"350102{n:06d}") for n in range(1, 351)]
    for counter in counters[::2]:
        counter.increment()
    before = app.process_recorder.max_notification_id() or 0
    recordings = app.save(*counters)
    notes = app.process_recorder.select_notifications(before + 1, 1000)
    expected = [(c.id, v) for c in counters for v in range(1, c.version + 1)]
    assert len(expected) == 525
    assert [(n.originator_id, n.originator_version) for n in notes] == expected
    assert [n.id for n in notes] == sorted(n.id for n in notes)
    assert [r.notification.id for r in recordings] == [n.id for n in notes]
    assert [app.repository.get(c.id).value for c in counters[:2]] == [1, 0]


def test_a_conflicting_write_is_rejected(app: CounterApplication) -> None:
    counter = Counter(region="350102001001")
    app.save(counter)
    first, second = app.repository.get(counter.id), app.repository.get(counter.id)
    first.increment()
    second.increment()
    app.save(first)
    with pytest.raises(IntegrityError):
        app.save(second)


def test_tracking_deduplicates_in_any_order(app: CounterApplication) -> None:
    upstream = f"upstream-{uuid.uuid4().hex[:6]}"
    assert app.save_tracked(Tracking(upstream, 5), Counter(region="350102001001")) is True
    assert app.save_tracked(Tracking(upstream, 3), Counter(region="350102001001")) is True
    assert app.save_tracked(Tracking(upstream, 5), Counter(region="350102001001")) is False
    assert app.has_processed(Tracking(upstream, 3))
    assert not app.has_processed(Tracking(upstream, 4))


async def test_relay_position_survives_a_restart(app: CounterApplication, settings: Settings) -> None:
    start = app.process_recorder.max_notification_id() or 0
    app.save(Counter(region="350102001001"), Counter(region="350102001002"))
    publisher = InMemoryPublisher()
    relay = Relay(app, translate_counter, publisher, "t")
    while await relay.run_once():
        pass
    assert relay.position() == start + 2
    reopened = CounterApplication(settings)
    try:
        assert Relay(reopened, translate_counter, InMemoryPublisher(), "t").position() == start + 2
    finally:
        reopened.close()


def test_only_one_leader_at_a_time(settings: Settings) -> None:
    first, second = leader_lock(settings, "relay"), leader_lock(settings, "relay")
    assert first.try_acquire()
    try:
        assert not second.try_acquire()
    finally:
        first.release()
    assert second.try_acquire()
    second.release()
