"""The registry projection rewrites a person's alerts (an update_many on `alerts`) for the events that change what
an alert copies of its person, and for no other: a person's life on the in-memory store, projected event by event.
That the alerts then follow in the read models and GET /alerts: tests/test_alerts_api.py."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any, TypeAlias, cast
from uuid import UUID

from registry.application import RegistryApplication
from registry.domain import DuplicateCase, Registration
from registry.projections import RegistryProjection
from vet_common.domain import Actor
from vet_common.idnumber import make_id_number
from vet_common.jurisdiction import region_keys
from vet_common.projector import ReadModelBatch
from vet_devtools.testing import ServiceHarness

Harness: TypeAlias = ServiceHarness[RegistryApplication]

VILLAGE_A, VILLAGE_B = "350102001001", "350102002001"
STAFF = Actor(sub="staff-1", role="station_staff")
OFFICER = Actor(sub="officer-1", role="officer")
BIRTH = date(1966, 7, 15)


def registered(harness: Harness, n: int) -> UUID:
    return harness.app.register_person(
        Registration(
            id_number=make_id_number("350102", BIRTH, n, "male"),
            name="王建国",
            sex="male",
            birth_date=BIRTH,
            region=VILLAGE_A,
            household="rural",
            categories=["discharged_soldier"],
        ),
        STAFF,
    )


def alert_updates(harness: Harness) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(event, query, $set) of each update of `alerts` the projection sends, every event in a batch of its own."""
    projection = RegistryProjection(harness.app)
    updates = []
    for position, event in enumerate(harness.all_events(), start=1):
        batch = ReadModelBatch(cast(Any, None))  # never flushed: only its writes are looked at
        asyncio.run(projection.apply(batch, event, position))
        updates += [(type(event).__qualname__, query, update["$set"]) for _, query, update in batch.denormalised]
    return updates


def test_only_transfer_death_its_correction_and_merger_rewrite_a_persons_alerts(harness: Harness) -> None:
    app = harness.app
    person = registered(harness, 1)
    app.update_profile(person, {"housing": "自有住房"}, STAFF, None)
    app.change_contact(person, None, "福州市鼓楼区某路 1 号", STAFF, None)
    app.record_annual_confirmation(person, 2026, "", STAFF)
    app.accept_transfer(app.request_transfer(person, VILLAGE_B, "投靠子女", STAFF), "同意", STAFF)
    app.record_death(person, date(2026, 5, 1), STAFF)
    app.correct_death(person, None, "误报去世", OFFICER)
    twin = registered(harness, 2)
    pair = [str(person), str(twin)]
    app.flag_possible_duplicate(pair, VILLAGE_A, "王建国", BIRTH)
    app.merge_duplicates(DuplicateCase.create_id(pair), person, "同一人", OFFICER)

    moved = {"region": VILLAGE_B, "jurisdictions": region_keys(VILLAGE_B)}
    assert alert_updates(harness) == [
        ("Person.Transferred", {"person_id": str(person)}, {**moved, "person_status": "active"}),
        ("Person.Died", {"person_id": str(person)}, {**moved, "person_status": "deceased"}),
        ("Person.DeathCorrected", {"person_id": str(person)}, {**moved, "person_status": "active"}),
        (
            "Person.MergedInto",
            {"person_id": str(twin)},
            {"region": VILLAGE_A, "jurisdictions": region_keys(VILLAGE_A), "person_status": "merged"},
        ),
    ]
