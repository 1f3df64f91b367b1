"""One follower of the notification log serves several consumers, each at its own position, decrypting once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import TopicError

from vet_common.follower import LogBatch, LogConsumer, LogFollower, UnreadableNotification
from vet_common.relay import InMemoryPublisher, Relay
from vet_devtools.testing.apps import Counter, CounterApplication, translate_counter


class Reader:
    """A consumer that keeps its position in memory and remembers what it was handed."""

    def __init__(
        self, name: str, batch_size: int = 500, fail: int = 0, until: Reader | None = None, types: tuple[type, ...] = ()
    ) -> None:
        self.at = 0
        self.handed: list[list[int]] = []
        self.fail = fail
        self.delay = 0.0
        self.moved = asyncio.Event()
        self.consumer = LogConsumer(
            name, self.position, self.handle, batch_size, until=until.position if until else None, event_types=types
        )

    async def position(self) -> int:
        return self.at

    async def handle(self, batch: LogBatch) -> None:
        self.handed.append([entry.notification_id for entry in batch.entries])
        await asyncio.sleep(self.delay)
        if self.fail:
            self.fail -= 1
            raise RuntimeError("this consumer's store is down (simulated)")
        self.at = batch.position
        self.moved.set()

    async def reach(self, position: int) -> None:
        while self.at < position:
            self.moved.clear()
            await self.moved.wait()

    @property
    def seen(self) -> list[int]:
        return [n for batch in self.handed for n in batch]


def make_app(tmp_path: Path, events: int) -> tuple[CounterApplication, Counter]:
    """An application whose log holds `events` notifications (ids 1..events) of one counter."""
    app = CounterApplication.in_directory(tmp_path)
    counter = Counter(region="350102001001")
    for _ in range(events - 1):
        counter.increment()
    app.save(counter)
    return app, counter


def count_conversions(app: CounterApplication, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Notification ids converted (decrypted and deserialised), in the order they were."""
    converted: list[int] = []
    original = app.mapper.to_domain_event

    def counting(stored: Any) -> Any:
        converted.append(stored.id)
        return original(stored)

    monkeypatch.setattr(app.mapper, "to_domain_event", counting)
    return converted


async def drain(follower: LogFollower, *readers: Reader) -> None:
    """Run each consumer in turn until none has anything left."""
    while sum([await follower.run_once(reader.consumer) for reader in readers]):
        pass


async def test_every_consumer_sees_every_event_once_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app, counter = make_app(tmp_path, 23)
    converted = count_conversions(app, monkeypatch)
    follower = LogFollower(app)
    readers = [Reader("a", batch_size=5), Reader("b", batch_size=7), Reader("c", batch_size=50)]
    await drain(follower, *readers)
    for _ in range(4):
        counter.increment()
    app.save(counter)
    await drain(follower, *readers)
    for reader in readers:
        assert reader.seen == list(range(1, 28)), reader.consumer.name
    assert converted == list(range(1, 28))  # once each, whichever consumer asked first
    versions = [entry.event.originator_version for entry in follower.window]
    assert versions == list(range(1, 28))


async def test_a_failing_consumer_gets_the_same_events_again_and_the_others_move_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = make_app(tmp_path, 10)
    converted = count_conversions(app, monkeypatch)
    follower = LogFollower(app)
    steady, failing = Reader("steady", batch_size=4), Reader("failing", batch_size=4, fail=2)

    for _ in range(3):
        await follower.run_once(steady.consumer)
        with pytest.raises(RuntimeError):
            await follower.run_once(failing.consumer)
        if not failing.fail:
            break
    assert steady.seen == list(range(1, 9))  # two batches on while the other failed twice
    assert failing.handed == [[1, 2, 3, 4], [1, 2, 3, 4]]
    assert failing.at == 0

    await drain(follower, steady, failing)
    assert failing.handed[2:] == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]
    assert steady.seen == list(range(1, 11))
    assert converted == list(range(1, 11))  # the retries came from memory


async def test_positions_are_kept_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The relay's Tracking row moves with the relay only; another consumer's position with that consumer only."""
    app, _ = make_app(tmp_path, 6)
    converted = count_conversions(app, monkeypatch)
    follower = LogFollower(app)
    publisher = InMemoryPublisher()
    relay = Relay(app, translate_counter, publisher, "vet.test.v1", batch_size=4, follower=follower)
    other = Reader("other", batch_size=2)

    assert await relay.run_once() == 4
    assert (relay.position(), other.at) == (4, 0)
    assert await follower.run_once(other.consumer) == 2
    assert (relay.position(), other.at) == (4, 2)
    await drain(follower, other)
    assert (relay.position(), other.at) == (4, 6)
    assert await relay.run_once() == 2
    assert [e.source_position for e in publisher.published["vet.test.v1"]] == [1, 2, 3, 4, 5, 6]
    assert converted == [1, 2, 3, 4, 5, 6]


async def test_a_consumer_behind_the_others_catches_up_without_converting_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = make_app(tmp_path, 30)
    converted = count_conversions(app, monkeypatch)
    follower = LogFollower(app)
    ahead, behind = Reader("ahead", batch_size=10), Reader("behind", batch_size=10)
    ahead.at = behind.at = 20
    await drain(follower, ahead)
    assert ahead.seen == list(range(21, 31))

    behind.at = 5  # e.g. its checkpoint was restored from a backup
    await drain(follower, behind)
    assert behind.seen == list(range(6, 31))
    # It read only what nobody had read before, 6..20, and got 21..30 from memory.
    assert converted == list(range(21, 31)) + list(range(6, 21))
    assert (follower.start, follower.end) == (15, 30)  # its last read reached the window and joined it


async def test_a_consumer_that_fell_out_of_the_window_reads_on_its_own(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, 40)
    follower = LogFollower(app, window_size=10)
    fast, stuck = Reader("fast", batch_size=5), Reader("stuck", batch_size=5, fail=1)
    with pytest.raises(RuntimeError):
        await follower.run_once(stuck.consumer)
    await drain(follower, fast)
    assert len(follower.window) == 10
    assert follower.start == 30  # the window kept the last ten entries only

    await drain(follower, stuck)
    assert stuck.seen == [1, 2, 3, 4, 5, *range(1, 41)]
    assert len(follower.window) <= 10


async def test_a_consumer_stays_behind_the_position_it_follows(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, 12)
    follower = LogFollower(app)
    leader = Reader("projector", batch_size=5)
    trailing = Reader("duplicates", until=leader)

    assert await follower.run_once(trailing.consumer) == 0  # nothing projected yet
    await follower.run_once(leader.consumer)
    await drain(follower, trailing)
    assert trailing.seen == [1, 2, 3, 4, 5]
    await drain(follower, leader, trailing)
    assert trailing.handed == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]  # each time up to the leader


async def test_a_consumer_of_some_event_types_gets_only_those_and_reads_only_those_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = CounterApplication.in_directory(tmp_path)
    counters = [Counter(region="350102001001") for _ in range(3)]
    for counter in counters:
        for _ in range(3):
            counter.increment()
    app.save(*counters)  # Started at 1, 5 and 9, each followed by three Incremented
    converted = count_conversions(app, monkeypatch)
    follower = LogFollower(app)
    everything, starts = Reader("everything"), Reader("starts", batch_size=3, types=(Counter.Started,))
    everything.at = 8
    await drain(follower, everything)

    assert await follower.run_once(starts.consumer) == 8  # on its own, behind the window: only what it wants
    assert (starts.handed, starts.at) == ([[1, 5]], 8)
    assert await follower.run_once(starts.consumer) == 3  # from the window: 9, 10, 11 of which only 9
    assert await follower.run_once(starts.consumer) == 1  # nothing for it, but its position moves on
    assert await follower.run_once(starts.consumer) == 0
    assert (starts.handed, starts.at) == ([[1, 5], [9], []], 12)
    assert converted == [9, 10, 11, 12, 1, 5]


def break_notification(app: CounterApplication, monkeypatch: pytest.MonkeyPatch, broken: int) -> None:
    """Notification `broken` names an event class the code no longer has."""
    original = app.mapper.to_domain_event

    def convert(stored: Any) -> Any:
        if getattr(stored, "id", None) == broken:
            raise TopicError("Failed to resolve topic 'gone:Counter.Renamed'")
        return original(stored)

    monkeypatch.setattr(app.mapper, "to_domain_event", convert)


async def test_an_unreadable_notification_stops_each_consumer_there_after_the_ones_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = make_app(tmp_path, 6)
    break_notification(app, monkeypatch, 4)
    follower = LogFollower(app)
    first, second = Reader("first"), Reader("second", types=(Counter.Incremented,))
    for reader in (first, second):
        assert await follower.run_once(reader.consumer) == 3
        for _ in range(2):  # the poll loop retries: the same error, nothing skipped
            with pytest.raises(UnreadableNotification) as raised:
                await follower.run_once(reader.consumer)
            assert raised.value.notification_id == 4
            assert isinstance(raised.value.__cause__, TopicError)
        assert reader.at == 3
    # One reading on its own (behind the window) only what it wants does not skip the unreadable one either.
    late = Reader("late", types=(Counter.Incremented,))
    follower.window, follower.start, follower.end = [], 5, 5
    assert await follower.run_once(late.consumer) == 3
    assert (late.handed, late.at) == ([[2, 3]], 3)
    with pytest.raises(UnreadableNotification):
        await follower.run_once(late.consumer)


async def test_the_relay_stops_at_a_notification_whose_event_class_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = make_app(tmp_path, 5)
    break_notification(app, monkeypatch, 3)
    publisher = InMemoryPublisher()
    relay = Relay(app, translate_counter, publisher, "vet.test.v1")

    assert await relay.run_once() == 2
    assert await relay.run_once() == 0
    assert await relay.run_once() == 0  # stalled: it does not even read again until restarted
    assert [e.source_position for e in publisher.published["vet.test.v1"]] == [1, 2]
    assert relay.position() == 2
    assert relay.stalled == "stopped at notification 3: Failed to resolve topic 'gone:Counter.Renamed'"


async def test_a_slow_consumer_holds_nobody_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Consumers run side by side: the fast one is done while the slow one has handled one batch at most."""
    app, _ = make_app(tmp_path, 20)
    converted = count_conversions(app, monkeypatch)
    follower = LogFollower(app)
    fast, slow = Reader("fast", batch_size=5), Reader("slow", batch_size=10)
    slow.delay = 0.5
    stop = asyncio.Event()

    async def watch() -> None:
        await fast.reach(20)
        assert slow.at <= 10
        await slow.reach(20)
        stop.set()

    await asyncio.wait_for(
        asyncio.gather(follower.follow(fast.consumer, stop, 0.01), follower.follow(slow.consumer, stop, 0.01), watch()),
        timeout=10,
    )
    assert fast.seen == slow.seen == list(range(1, 21))
    assert converted == list(range(1, 21))
