"""SQLite's recorder: an insert holds the database's write turn, which other processes' writers wait for."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from eventsourcing.sqlite import SQLiteProcessRecorder

from vet_common.settings import Settings
from vet_common.sqliterecorder import PAGE_CACHE_KIB, TurnTakingProcessRecorder, write_turn
from vet_devtools.testing.apps import Counter, CounterApplication


@pytest.fixture
def app(tmp_path: Path) -> Iterator[CounterApplication]:
    application = CounterApplication(Settings.for_service("registry", data_dir=tmp_path))
    yield application
    application.close()


def turn_is_free(db_name: str) -> bool:
    fd = os.open(f"{db_name}.write-turn", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_every_insert_holds_the_write_turn(app: CounterApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = app.process_recorder
    assert isinstance(recorder, TurnTakingProcessRecorder)
    db_name = recorder.datastore.pool.db_name
    seen: list[bool] = []
    library_insert = SQLiteProcessRecorder.insert_events

    def insert(self: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        seen.append(turn_is_free(db_name))  # another process asking now would wait
        return library_insert(self, stored_events, **kwargs)

    monkeypatch.setattr(SQLiteProcessRecorder, "insert_events", insert)
    app.save(Counter(region="350102001001"))
    app.save_tracked(Tracking("upstream", 1), Counter(region="350102001002"))
    assert seen == [False, False]
    assert turn_is_free(db_name)  # and gives it back


def test_the_turn_is_given_back_when_the_insert_fails(app: CounterApplication) -> None:
    counter = Counter(region="350102001001")
    app.save(counter)
    stale = app.repository.get(counter.id)
    counter.increment()
    app.save(counter)
    stale.increment()
    with pytest.raises(IntegrityError):
        app.save(stale)
    assert turn_is_free(app.process_recorder.datastore.pool.db_name)  # type: ignore[attr-defined]
    assert app.repository.get(counter.id).value == 1


def test_a_writer_waits_for_the_turn(tmp_path: Path) -> None:
    db_name = str(tmp_path / "x.sqlite")
    with write_turn(db_name):
        assert not turn_is_free(db_name)
    assert turn_is_free(db_name)


def test_a_tracked_insert_records_its_position_with_the_events(app: CounterApplication) -> None:
    assert app.save_tracked(Tracking("upstream", 7), Counter(region="350102001001"), Counter(region="350102001002"))
    assert app.has_processed(Tracking("upstream", 7))
    assert len(app.process_recorder.select_notifications(None, 10)) == 2


def test_connections_keep_a_larger_page_cache(app: CounterApplication) -> None:
    with app.process_recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -PAGE_CACHE_KIB
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
