"""The people replica follows the registry's person events: created by the first, never moved backwards."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from vet_common.auth import Principal, Role
from vet_common.domain import NotFound
from vet_common.eventstore import ServiceApplication
from vet_common.people import (
    PERSON_EVENTS,
    NotYetKnown,
    PersonDeceased,
    PersonReplica,
    known_person,
    people_replica,
)
from vet_contracts import PublicEvent, event_id_for, registry
from vet_devtools.testing.people import RegistryFeed, in_memory


@pytest.fixture
def app() -> ServiceApplication:
    return in_memory(ServiceApplication, "outreach")


@pytest.fixture
def feed() -> RegistryFeed:
    return RegistryFeed()


def replica(app: ServiceApplication, person_id: str) -> PersonReplica:
    found: PersonReplica | None = app.get_or_none(PersonReplica.create_id(person_id))
    assert found is not None
    return found


def recorded(app: ServiceApplication) -> int:
    return app.process_recorder.max_notification_id() or 0


def staff(region: str) -> Principal:
    return Principal(sub="s1", name="李明", roles=frozenset({Role.station_staff}), region=region)


def test_a_registration_creates_the_replica_with_the_facts_and_the_region(
    app: ServiceApplication, feed: RegistryFeed
) -> None:
    assert people_replica.process(app, feed.registered("p-1", "350102001001", disability_level=5)) is True
    person = replica(app, "p-1")
    assert (person.person_id, person.region, person.status, person.registry_version) == (
        "p-1",
        "350102001001",
        "active",
        1,
    )
    assert (person.categories, person.key_contact_reasons, person.birth_year) == (["discharged_soldier"], [], 1960)
    assert (person.sex, person.household, person.disability_level) == ("male", "rural", 5)


def test_it_holds_exactly_the_person_facts_and_the_region(app: ServiceApplication, feed: RegistryFeed) -> None:
    people_replica.process(app, feed.registered("p-1"))
    held = {name for name in vars(replica(app, "p-1")) if not name.startswith("_")}
    assert held == set(registry.PersonFacts.model_fields) | {"region", "registry_version", "registered_on"}


def test_a_redelivered_event_has_no_second_effect_and_records_nothing(
    app: ServiceApplication, feed: RegistryFeed
) -> None:
    registered = feed.registered("p-1")
    people_replica.process(app, registered)
    designated = feed.event("KeyContactDesignated", "p-1", key_contact_reasons=["serious_illness"])
    assert people_replica.process(app, designated) is True
    before = recorded(app)
    assert people_replica.process(app, designated) is False
    assert people_replica.process(app, registered) is False
    assert recorded(app) == before
    assert replica(app, "p-1").key_contact_reasons == ["serious_illness"]


def test_two_deployments_events_at_the_same_position_are_both_followed(
    app: ServiceApplication, feed: RegistryFeed
) -> None:
    """The province reads its own registry and a city's, mirrored: both count positions from 1, so what was
    processed is tracked per deployment, and their event ids differ."""
    own = feed.registered("p-1", "350203001001")
    city = RegistryFeed().registered("p-2", "350102001001")
    assert own.source_position == city.source_position == 1
    city = city.model_copy(update={"deployment": "3501", "event_id": event_id_for("registry", 1, "3501")})
    assert (own.upstream, city.upstream) == ("registry", "3501:registry")
    assert own.event_id != city.event_id
    assert people_replica.process(app, own) is True
    assert people_replica.process(app, city) is True
    assert people_replica.process(app, city) is False  # a redelivery of the city's is still recognised
    assert replica(app, "p-2").region == "350102001001"


def test_an_old_event_after_a_newer_one_changes_nothing(app: ServiceApplication, feed: RegistryFeed) -> None:
    people_replica.process(app, feed.registered("p-1"))
    old = feed.event("CategoriesChanged", "p-1", categories=["discharged_soldier", "disabled_soldier"])
    newer = feed.event("CategoriesChanged", "p-1", categories=["retired_cadre"])
    assert people_replica.process(app, newer) is True
    before = recorded(app)
    # Republished with a new position (say, a relay replay): tracked, yet the replica stays where it is.
    assert people_replica.process(app, old.model_copy(update={"source_position": 99})) is True
    assert recorded(app) == before
    person = replica(app, "p-1")
    assert (person.categories, person.registry_version) == (["retired_cadre"], 3)


def test_a_transfer_moves_the_region(app: ServiceApplication, feed: RegistryFeed) -> None:
    people_replica.process(app, feed.registered("p-1", "350102001001"))
    people_replica.process(app, feed.transferred("p-1", "350103001002"))
    assert replica(app, "p-1").region == "350103001002"


def test_a_death_marks_the_person_deceased(app: ServiceApplication, feed: RegistryFeed) -> None:
    people_replica.process(app, feed.registered("p-1"))
    people_replica.process(app, feed.died("p-1"))
    person = replica(app, "p-1")
    assert person.deceased
    with pytest.raises(PersonDeceased, match="已去世"):
        person.ensure_living()


def test_an_event_for_a_person_not_seen_yet_creates_the_replica_from_its_facts(
    app: ServiceApplication, feed: RegistryFeed
) -> None:
    feed.registered("p-1", "350102001001")  # published before this service started reading
    feed.event("DisabilityAssessed", "p-1", disability_level=4)
    transferred = feed.transferred("p-1", "350104005001")
    assert people_replica.process(app, transferred) is True
    person = replica(app, "p-1")
    assert (person.region, person.disability_level, person.registry_version) == ("350104005001", 4, 3)
    assert [type(e).__name__ for e in app.events.get(PersonReplica.create_id("p-1"))] == ["Seen"]


@pytest.mark.parametrize("event_type", PERSON_EVENTS, ids=lambda e: e.event_type())
def test_every_person_event_type_is_followed(
    app: ServiceApplication, feed: RegistryFeed, event_type: type[PublicEvent]
) -> None:
    people_replica.process(app, feed.registered("p-1"))
    assert people_replica.process(app, feed.event(event_type.event_type(), "p-1", birth_year=1961)) is True
    assert replica(app, "p-1").birth_year == 1961


def test_only_events_about_a_person_are_followed() -> None:
    assert registry.EligibilityAlertRaised not in PERSON_EVENTS  # about an alert occasion, not the person's facts
    assert set(PERSON_EVENTS) == set(registry.EVENTS) - {registry.EligibilityAlertRaised}
    assert people_replica.event_types == set(PERSON_EVENTS)


def test_a_command_finds_a_known_person_in_the_callers_jurisdiction(
    app: ServiceApplication, feed: RegistryFeed
) -> None:
    people_replica.process(app, feed.registered("p-1", "350102001001"))
    assert known_person(app, "p-1", staff("350102")).region == "350102001001"
    with pytest.raises(NotFound):
        known_person(app, "p-1", staff("350103"))
    with pytest.raises(NotYetKnown, match="not reached outreach yet"):
        known_person(app, "p-2", staff("350102"))


def test_the_registration_date_is_the_day_the_registry_registered_them_in_china(
    app: ServiceApplication, feed: RegistryFeed
) -> None:
    people_replica.process(app, feed.registered("p-1"))  # occurred 2026-08-01 00:00 UTC: 08:00 in China
    assert replica(app, "p-1").registered_on == date(2026, 8, 1)


def test_a_replica_first_seen_from_a_later_event_has_no_registration_date(
    app: ServiceApplication, feed: RegistryFeed
) -> None:
    feed.registered("p-1")  # before this service started reading
    people_replica.process(app, feed.event("KeyContactDesignated", "p-1"))
    assert replica(app, "p-1").registered_on is None


def test_a_replica_seen_before_registration_dates_were_kept_reads_back_without_one(
    app: ServiceApplication, feed: RegistryFeed
) -> None:
    people_replica.process(app, feed.registered("p-1"))
    (stored,) = [n for n in app.process_recorder.select_notifications(1, 10)]
    state = json.loads(app.mapper.cipher.decrypt(stored.state) if app.mapper.cipher else stored.state)
    del state["registered_on"]  # as a Seen event was written by the version before
    body = json.dumps(state).encode()
    old = replace(stored, state=app.mapper.cipher.encrypt(body) if app.mapper.cipher else body)
    person = app.mapper.to_domain_event(old).mutate(None)
    assert person is not None
    assert person.registered_on is None
    assert person.region == "350102001001"
