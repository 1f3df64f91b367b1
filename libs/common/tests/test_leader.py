"""The worker's leader lock for operator commands (`vet rebuild`): refused, naming what to stop, while another
process leads; taken when none does, and then no worker leads until it is let go. SQLite's flock here; both event
stores with a real rebuild in tests/test_rebuild_leader.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vet_common.leader import WORKER, LeaderBusy, leader_lock, take_worker_lead
from vet_common.settings import Settings


def test_an_operator_command_is_refused_while_a_worker_leads_and_leads_when_none_does(tmp_path: Path) -> None:
    settings = Settings.for_service("outreach", data_dir=tmp_path)
    worker = leader_lock(settings, WORKER)
    assert worker.try_acquire()
    with pytest.raises(LeaderBusy) as refused:
        take_worker_lead(settings, "vet rebuild outreach")
    message = str(refused.value)
    assert f"{tmp_path / 'outreach.relay.lock'}, process {os.getpid()}" in message
    assert "Nothing was changed" in message
    assert "`docker compose stop outreach-worker`, or end `python -m outreach worker`" in message
    assert "run `vet rebuild outreach` again" in message
    worker.release()

    command = take_worker_lead(settings, "vet rebuild outreach")
    try:
        assert not leader_lock(settings, WORKER).try_acquire()  # a worker starting now waits as a standby
    finally:
        command.release()
    assert worker.try_acquire()
    worker.release()
