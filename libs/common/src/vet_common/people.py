"""The people replica: what the registry's public events say about each person, kept in a consumer's own store.

A service that needs to know who a person is (their region, whether they are alive, their categories) reads its
`PersonReplica` from its own event store instead of asking the registry, so it works while the registry is down.
It holds exactly what the events' `PersonFacts` carry, plus the envelope's region and the day of registration
(from PersonRegistered's `occurred_at`): nothing personal.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from vet_common.auth import Principal
from vet_common.domain import CHINA, Conflict, derived_id
from vet_common.eventstore import ServiceApplication
from vet_common.jurisdiction import ensure_visible
from vet_common.policies import Policies
from vet_contracts import PublicEvent, registry

DECEASED = "deceased"  # the registry's PersonStatus.deceased, as its events spell it

# Every registry event about one person: each carries the person's facts after it (PersonFacts).
PERSON_EVENTS: tuple[type[PublicEvent], ...] = tuple(
    e for e in registry.EVENTS if issubclass(e.data_model(), registry.PersonFacts)
)


class NotYetKnown(Conflict):
    """The person's registration has not reached this service yet (or the id is no one's): 409, try again."""

    def __init__(self, service: str) -> None:
        super().__init__(
            "该人员的档案尚未同步到本系统，请稍后再试 (not yet known here: the registry's record has not reached "
            f"{service} yet; try again in a moment)"
        )


class PersonDeceased(Conflict):
    def __init__(self) -> None:
        super().__init__("该人员已去世 (this person is recorded as deceased)")


class PersonReplica(Aggregate):
    """One person as the registry's events last described them; `registry_version` is the last one applied."""

    @staticmethod
    def create_id(person_id: str) -> UUID:
        # Derived, not the registry's own id: that id stays free for other aggregates about the person in this
        # store, and the registry's ids need not be UUIDs. A second creation still collides (one replica each).
        return derived_id("person-replica", person_id)

    class Seen(Aggregate.Created):
        """First event about the person to reach this service (PersonRegistered, or a later one after a late start)."""

        person_id: str
        facts: dict[str, Any]
        region: str
        registry_version: int
        registry_event: str
        # Added later, so a Seen stored before has none; None also when the first event here was not the
        # registration (a late start): then the registration date is unknown and nothing is refused for it.
        registered_on: date | None = None

    class Updated(Aggregate.Event):
        """A later event about the person: their facts and region as the registry now has them."""

        facts: dict[str, Any]
        region: str
        registry_version: int
        registry_event: str

    @event(Seen)
    def __init__(
        self,
        *,
        person_id: str,
        facts: dict[str, Any],
        region: str,
        registry_version: int,
        registry_event: str,
        registered_on: date | None = None,
    ) -> None:
        self.person_id = person_id
        self.registered_on = registered_on  # the day the registry registered them, in China
        self._take(facts, region, registry_version)

    @event(Updated)
    def _update(self, *, facts: dict[str, Any], region: str, registry_version: int, registry_event: str) -> None:
        self._take(facts, region, registry_version)

    def _take(self, facts: dict[str, Any], region: str, registry_version: int) -> None:
        self.region = region
        self.status: str = facts["status"]
        self.categories: list[str] = list(facts["categories"])
        self.key_contact_reasons: list[str] = list(facts["key_contact_reasons"])
        self.birth_year: int = facts["birth_year"]
        self.sex: str = facts["sex"]
        self.household: str | None = facts["household"]
        self.disability_level: int | None = facts["disability_level"]
        self.registry_version = registry_version

    @classmethod
    def seen(cls, person_event: PublicEvent) -> PersonReplica:
        return cls(
            person_id=person_event.data.person_id,
            facts=facts_of(person_event),
            region=person_event.region,
            registry_version=person_event.aggregate_version,
            registry_event=person_event.type,
            registered_on=(
                person_event.occurred_at.astimezone(CHINA).date() if person_event.type == "PersonRegistered" else None
            ),
        )

    def follow(self, person_event: PublicEvent) -> bool:
        """Apply a later event about the person; False (nothing changes) for one this replica already reflects."""
        if person_event.aggregate_version <= self.registry_version:
            return False  # a redelivery or an older event: the replica never moves backwards
        self._update(
            facts=facts_of(person_event),
            region=person_event.region,
            registry_version=person_event.aggregate_version,
            registry_event=person_event.type,
        )
        return True

    @property
    def deceased(self) -> bool:
        return self.status == DECEASED

    def ensure_living(self) -> None:
        if self.deceased:
            raise PersonDeceased()


def facts_of(person_event: PublicEvent) -> dict[str, Any]:
    """The PersonFacts of a person event, and nothing else it carries (a change, a reason, a date)."""
    return {name: getattr(person_event.data, name) for name in registry.PersonFacts.model_fields}


# The policies ----------------------------------------------------------------------------------------------------

people_replica = Policies()


@people_replica.on(*PERSON_EVENTS)
def follow_person(application: ServiceApplication, person_event: PublicEvent) -> list[PersonReplica]:
    """Every person event carries the full facts, and its envelope the region, so one rule serves every type:
    PersonTransferred's envelope has the new region, PersonDied's facts the status "deceased"."""
    replica: PersonReplica | None = application.get_or_none(PersonReplica.create_id(person_event.data.person_id))
    if replica is None:
        # The registry's topic is partitioned by person, so this is the person's first event here, or the
        # first since this service started reading late: either way its facts are the whole story.
        return [PersonReplica.seen(person_event)]
    return [replica] if replica.follow(person_event) else []


# Reading it in a command -----------------------------------------------------------------------------------------


def known_person(application: ServiceApplication, person_id: UUID | str, principal: Principal) -> PersonReplica:
    """The replica of a person the caller may see. NotYetKnown (409) if this service has not heard of them;
    NotFound (404) if they are outside the caller's jurisdiction, exactly as for an id that is no one's."""
    replica: PersonReplica | None = application.get_or_none(PersonReplica.create_id(str(person_id)))
    if replica is None:
        raise NotYetKnown(application.settings.service)
    ensure_visible(principal, replica.region, "人")
    return replica


# Domain events of the replica: a service that keeps it lists them as internal in its translation table.
REPLICA_EVENTS: frozenset[type] = frozenset({PersonReplica.Seen, PersonReplica.Updated})
