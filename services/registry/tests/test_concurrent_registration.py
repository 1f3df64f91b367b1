"""Registering one ID number from two threads at once, with group commit: exactly one record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from registry.application import AlreadyRegistered, RegistryApplication
from registry.domain import Registration
from vet_common.domain import Actor
from vet_common.idnumber import make_id_number
from vet_common.settings import Settings
from vet_devtools.testing.concurrency import Gate, run_threads

BIRTH = date(1950, 3, 1)
ACTOR = Actor(sub="staff", role="station_staff")


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[RegistryApplication]:
    application = RegistryApplication(Settings.for_service("registry", data_dir=tmp_path))
    yield application
    application.close()


def registration(id_number: str, name: str) -> Registration:
    return Registration(
        id_number=id_number, name=name, sex="male", birth_date=BIRTH, region="350102001001", categories=["veteran"]
    )


def outcome(results: list[object]) -> tuple[list[UUID], list[AlreadyRegistered]]:
    assert all(isinstance(r, UUID | AlreadyRegistered) for r in results), results
    return [r for r in results if isinstance(r, UUID)], [r for r in results if isinstance(r, AlreadyRegistered)]


def test_one_id_number_in_one_group_registers_once(registry: RegistryApplication) -> None:
    same = make_id_number("350102", BIRTH, 7, "male")
    other = make_id_number("350102", BIRTH, 8, "male")
    gate = Gate(registry)
    people = [registration(same, "王一"), registration(same, "王二"), registration(other, "李三")]
    results = gate.run_as_one_group([lambda p=p: registry.register_person(p, ACTOR) for p in people])
    registered, refused = outcome(results)
    assert len(registered) == 2
    assert len(refused) == 1
    assert refused[0].existing_id == registry.find_by_id_number(same)
    assert registry.find_by_id_number(other) in registered


def test_two_threads_registering_one_id_number_exactly_one_succeeds(registry: RegistryApplication) -> None:
    for sequence in range(20):  # without a gate: whatever order the threads meet the committer in
        id_number = make_id_number("350102", BIRTH, sequence, "female")
        people = [registration(id_number, "张一"), registration(id_number, "张二")]
        registered, refused = outcome(run_threads([lambda p=p: registry.register_person(p, ACTOR) for p in people]))
        assert len(registered) == 1
        assert len(refused) == 1
        assert refused[0].existing_id == registered[0] == registry.find_by_id_number(id_number)
