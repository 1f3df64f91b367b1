"""Each service's translation table classifies every domain event its domain defines, as published or internal,
and publishes only event types of the contracts package, each with a JSON Schema."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

import jsonschema
import pytest
from eventsourcing.domain import Aggregate, DomainEvent

from assistance.service import definition as assistance
from outreach.service import definition as outreach
from registry.service import definition as registry
from reporting.service import definition as reporting
from vet_common.service import ServiceDefinition
from vet_contracts import events_of, json_schemas

SERVICES = [registry, outreach, assistance, reporting]


def domain_event_classes(module: ModuleType) -> set[type]:
    """Every event class of every aggregate the module (or, for a package, any of its modules) defines, those
    @event("Name") makes included, and of the shared aggregates from vet_common it names in `__all__` (the people
    replica a consumer keeps)."""
    found: set[type] = set()
    if hasattr(module, "__path__"):
        for sub in pkgutil.iter_modules(module.__path__, module.__name__ + "."):
            found |= domain_event_classes(importlib.import_module(sub.name))
    shared = set(getattr(module, "__all__", ()))
    # Events a service writes without an aggregate around them (reporting's archive entries and seals).
    found |= {
        c
        for c in vars(module).values()
        if isinstance(c, type)
        and issubclass(c, DomainEvent)
        and not issubclass(c, Aggregate.Event)
        and c.__module__ == module.__name__
    }
    for name, aggregate in vars(module).items():
        if not (isinstance(aggregate, type) and issubclass(aggregate, Aggregate)) or aggregate is Aggregate:
            continue
        own = aggregate.__module__ == module.__name__
        if not (own or (name in shared and aggregate.__module__.startswith("vet_common."))):
            continue
        events = {c for c in vars(aggregate).values() if isinstance(c, type) and issubclass(c, Aggregate.Event)}
        # eventsourcing gives each aggregate an `Event` base and a `Created` class; the latter creates the
        # aggregate only when no other created-event class is named (@event("Registered") on __init__).
        created = {c for c in events if issubclass(c, Aggregate.Created)}
        events.discard(aggregate.Event)
        if len(created) > 1:
            events.discard(aggregate.Created)
        found |= events
    return found


@pytest.mark.parametrize("definition", SERVICES, ids=lambda d: d.name)
def test_every_domain_event_is_published_or_internal(definition: ServiceDefinition) -> None:
    domain = importlib.import_module(f"{definition.name}.domain")
    events = domain_event_classes(domain)
    assert events, f"no domain events found in {domain.__name__}"
    table = definition.translations
    unclassified = sorted(c.__qualname__ for c in events - set(table.published) - set(table.internal))
    assert not unclassified, f"add to {definition.name}/contract.py, published or internal: {unclassified}"
    strangers = sorted(c.__qualname__ for c in {*table.published, *table.internal} - events)
    assert not strangers, f"not events of {domain.__name__}: {strangers}"


@pytest.mark.parametrize("definition", SERVICES, ids=lambda d: d.name)
def test_every_published_type_is_in_the_contracts_package_with_a_schema(definition: ServiceDefinition) -> None:
    contract = events_of(definition.name)
    schemas = json_schemas(definition.name)
    for event in definition.translations.public_events():
        assert contract.get(event.event_type()) is event, f"{event.__name__} is not in vet_contracts.{definition.name}"
        jsonschema.Draft202012Validator.check_schema(schemas[event.event_type()])
    # And the other way round: the contract promises no type the service never publishes.
    assert set(contract.values()) == definition.translations.public_events()


def test_the_walk_finds_the_events_that_event_decorators_make() -> None:
    from registry.domain import Person

    found = {c.__qualname__ for c in domain_event_classes(importlib.import_module("registry.domain"))}
    assert {"Person.Registered", "Person.Died", "AlertOccasion.EligibilityAlertRaised"} <= found
    assert "Person.Event" not in found
    assert "Person.Created" not in found  # never used: Person is created by Person.Registered
    assert Person.Registered.__qualname__ == "Person.Registered"  # type: ignore[attr-defined]
    found = {c.__qualname__ for c in domain_event_classes(importlib.import_module("assistance.domain"))}
    assert {"Fund.Created", "Fund.Reserved", "Application.Approved", "PersonReplica.Seen"} <= found


@pytest.mark.parametrize("definition", SERVICES, ids=lambda d: d.name)
def test_every_relay_passes_over_the_idempotency_claims_every_post_leaves(definition: ServiceDefinition) -> None:
    """Any POST with an Idempotency-Key saves an IdempotencyClaim in the service's store: its relay must pass
    over those events (publishing nothing), never stop at them."""
    from vet_common.idempotency import IdempotencyClaim
    from vet_devtools.testing import ServiceHarness

    harness = ServiceHarness[Any](definition)
    claim = IdempotencyClaim(service=definition.name, caller="s1", key="k-1", fingerprint="f")
    claim.record_answer(201, "application/json", "{}")
    claim.release()
    claim.reserve_again("g")
    harness.app.save(claim)
    assert len(harness.events(claim.id)) == 4
    assert harness.published() == []
