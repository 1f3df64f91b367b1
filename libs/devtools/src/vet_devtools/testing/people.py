"""The registry's person events as a consumer receives them, and an in-memory event store, for replica tests."""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from vet_common.eventstore import ServiceApplication
from vet_common.settings import Settings
from vet_contracts import Actor, IntegrationEvent

A = TypeVar("A", bound=ServiceApplication)

# What each person event carries beside the facts, when a test does not say.
EXTRA: dict[str, dict[str, Any]] = {
    "PersonUpdated": {"change": "profile", "profile_dimensions": ["education"]},
    "KeyContactDesignated": {"reason": "serious_illness"},
    "KeyContactRemoved": {"reason": "serious_illness"},
    "DisabilityAssessed": {"cause": "因战"},
    "CertificateIssued": {"certificate": "preferential_card"},
    "AnnualConfirmationRecorded": {"year": 2026},
    "PersonTransferred": {"transfer_id": "t-1", "from_region": "350102001001", "to_region": "350103001002"},
    "PersonDied": {"died_on": "2026-07-01"},
    "SurvivorLinked": {"veteran_id": "v-1", "relation": "spouse", "category": "martyr_survivor"},
}


def in_memory(application_class: type[A], service: str) -> A:
    """`application_class` on an in-memory SQLite event store, with the cipher and multi-row tracking as in
    production (eventsourcing's POPO recorder keeps only the highest tracked position per upstream)."""
    settings = Settings.for_service(service, data_dir=Path(tempfile.gettempdir()) / "vet-in-memory")
    return application_class(settings, env={"SQLITE_DBNAME": f"file:{uuid.uuid4().hex}?mode=memory&cache=shared"})


@dataclass
class RegistryFeed:
    """Person events the way the registry's relay writes them: positions and each person's version count up,
    and every event carries the person's full facts after it."""

    position: int = 0
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    # When the events happened (a registration's day is the earliest a contact may be dated).
    occurred_at: datetime = datetime(2026, 8, 1, tzinfo=UTC)

    def event(self, type_: str, person_id: str, region: str | None = None, **changes: Any) -> IntegrationEvent:
        """The next event about `person_id`: `changes` update its facts (status, categories ...) or add data."""
        person = self.people.setdefault(
            person_id,
            {
                "version": 0,
                "region": region or "350102001001",
                "facts": {
                    "person_id": person_id,
                    "categories": ["discharged_soldier"],
                    "key_contact_reasons": [],
                    "status": "active",
                    "birth_year": 1960,
                    "sex": "male",
                    "household": "rural",
                    "disability_level": None,
                },
            },
        )
        self.position += 1
        person["version"] += 1
        person["region"] = region or person["region"]
        extra = {**EXTRA.get(type_, {}), **{k: v for k, v in changes.items() if k not in person["facts"]}}
        person["facts"].update({k: v for k, v in changes.items() if k in person["facts"]})
        return IntegrationEvent.build(
            type=type_,
            source="registry",
            source_position=self.position,
            aggregate_id=person_id,
            aggregate_version=person["version"],
            occurred_at=self.occurred_at,
            actor=Actor(sub="staff-1", role="station_staff"),
            region=person["region"],
            data={**person["facts"], **extra},
        )

    def registered(self, person_id: str, region: str = "350102001001", **facts: Any) -> IntegrationEvent:
        return self.event("PersonRegistered", person_id, region, **facts)

    def transferred(self, person_id: str, to_region: str) -> IntegrationEvent:
        from_region = self.people[person_id]["region"]
        return self.event(
            "PersonTransferred", person_id, to_region, transfer_id="t-1", from_region=from_region, to_region=to_region
        )

    def died(self, person_id: str, died_on: str = "2026-07-01") -> IntegrationEvent:
        return self.event("PersonDied", person_id, status="deceased", died_on=died_on)
