"""The read models of the contact rules: who is due, who is overdue (with the rule and the last contact), who
has no pairing, who was transferred in to be paired anew, the to-do list; each follows the registry's events
(delivered twice: a redelivery changes nothing) and the contacts recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from outreach.application import OutreachApplication
from outreach.application.contacts import ContactDetails
from outreach.domain.rules import Interval, RuleEntry
from outreach.queries import pairings as pairing_queries
from outreach.queries import schedule as queries
from outreach.queries import todo as todo_queries
from outreach.service import definition
from vet_common.auth import Principal, Role
from vet_common.domain import Actor
from vet_contracts import IntegrationEvent
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration
A = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"
B = "7c0d3f4e-1a2b-4c5d-8e9f-0a1b2c3d4e5f"
C = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"
ACTOR = Actor(sub="s1", role="officer")
TODAY = date(2026, 12, 1)  # registered 2026-08-01: a quarter has passed (due 2026-10-30)


def principal(region: str) -> Principal:
    return Principal(sub="s1", name="李明", roles=frozenset({Role.officer}), region=region)


@pytest.fixture
def harness() -> ServiceHarness[OutreachApplication]:
    harness = ServiceHarness[OutreachApplication](definition, today=TODAY)
    feed = RegistryFeed()
    for event in (
        feed.registered(A, "350102001001", key_contact_reasons=["serious_illness"]),
        feed.registered(B, "350102002001", key_contact_reasons=["living_in_difficulty"], disability_level=2),
        feed.registered(C, "350102002001"),
    ):
        harness.deliver(event)
        harness.deliver(event)
    harness.feed = feed  # type: ignore[attr-defined]
    return harness


def record(harness: ServiceHarness[OutreachApplication], person_id: str, method: str, on: date, **more: Any) -> UUID:
    details = ContactDetails(method=method, contacted_on=on, staff="s1", **more)
    return harness.app.record_contact(person_id=person_id, details=details, principal=principal("35"), actor=ACTOR)


async def overdue(db: AsyncDatabase[Any], region: str, size: int = 50) -> list[dict[str, Any]]:
    return (await queries.overdue(db, principal(region), None, TODAY, None, size)).docs


async def test_the_overdue_list_names_the_rule_and_the_last_contact(
    harness: ServiceHarness[OutreachApplication], db: AsyncDatabase[Any]
) -> None:
    record(harness, A, "phone", date(2026, 8, 20))
    await harness.run_projections(db)
    rows = await overdue(db, "350102")
    assert [(r["person_id"], r["contact_due"], r["home_visit_due"]) for r in rows] == [
        (B, "2026-08-31", "2027-01-28"),  # level 2: every 30 days, a visit every 180
        (A, "2026-11-18", "2027-08-01"),  # called on 20 August: next contact a quarter later
    ]
    assert rows[1]["rule"] == {"version": 0, "contact_days": 90, "home_visit_days": 365}
    assert rows[1]["last_contact"] == "2026-08-20"
    assert await overdue(db, "350103") == []


async def test_a_contact_takes_the_person_off_the_overdue_list_and_a_withdrawal_puts_them_back(
    harness: ServiceHarness[OutreachApplication], db: AsyncDatabase[Any]
) -> None:
    contact = record(harness, A, "home_visit", date(2026, 11, 30))
    await harness.run_projections(db)
    assert [r["person_id"] for r in await overdue(db, "35")] == [B]
    due = await queries.due(db, principal("35"), None, TODAY, 90, None, 50)
    assert [r["person_id"] for r in due.docs] == [A]  # next contact 2027-02-28, within 90 days
    harness.app.withdraw_contact(contact, reason="记错了人", principal=principal("35"), actor=ACTOR)
    await harness.run_projections(db)
    assert [r["person_id"] for r in await overdue(db, "35")] == [B, A]


async def test_the_rules_an_officer_sets_apply_to_every_key_contact_at_once(
    harness: ServiceHarness[OutreachApplication], db: AsyncDatabase[Any]
) -> None:
    await harness.run_projections(db)
    harness.app.change_contact_rules(
        entries=[RuleEntry("", None, Interval(180, 365))],
        severe_disability=None,
        reason="省厅通知",
        principal=principal("35"),
        actor=ACTOR,
        expected_version=0,
    )
    await harness.run_projections(db)
    assert await overdue(db, "35") == []  # half a year now, for everyone
    schedule = await queries.person_schedule(db, B)
    assert schedule is not None
    assert (schedule["rule"], schedule["contact_due"]) == (
        {"version": 1, "contact_days": 180, "home_visit_days": 365},
        "2027-01-28",
    )


async def test_a_transfer_moves_the_due_entry_and_leaves_a_proposal_for_the_receiving_county(
    harness: ServiceHarness[OutreachApplication], db: AsyncDatabase[Any]
) -> None:
    harness.app.pair(staff="s1", person_ids=[UUID(A)], principal=principal("350102"), actor=ACTOR)
    await harness.run_projections(db)
    assert [
        r["person_id"]
        for r in (await pairing_queries.open_pairings(db, principal("350102"), None, TODAY, None, 50)).docs
    ] == [A]
    event = harness.feed.transferred(A, "350103001002")  # type: ignore[attr-defined]
    harness.deliver(event)
    harness.deliver(event)
    await harness.run_projections(db)
    assert [r["person_id"] for r in await overdue(db, "350102")] == [B]
    assert [r["person_id"] for r in await overdue(db, "350103")] == [A]
    proposals = await pairing_queries.proposals(db, principal("350103"), None, TODAY, None, 50)
    assert [(p["person_id"], p["end_reason"], p["proposed_to"]) for p in proposals.docs] == [
        (A, "transferred", "350103")
    ]
    assert (await pairing_queries.proposals(db, principal("350102"), None, TODAY, None, 50)).docs == []
    harness.app.pair(staff="s7", person_ids=[UUID(A)], principal=principal("350103"), actor=ACTOR)
    await harness.run_projections(db)
    assert (await pairing_queries.proposals(db, principal("350103"), None, TODAY, None, 50)).docs == []


async def test_a_death_drops_the_person_from_every_list(
    harness: ServiceHarness[OutreachApplication], db: AsyncDatabase[Any]
) -> None:
    harness.app.pair(staff="s1", person_ids=[UUID(A)], principal=principal("350102"), actor=ACTOR)
    event = harness.feed.died(A)  # type: ignore[attr-defined]
    harness.deliver(event)
    harness.deliver(event)
    await harness.run_projections(db)
    assert [r["person_id"] for r in await overdue(db, "35")] == [B]
    assert (await pairing_queries.caseload(db, principal("35"), "s1", None)) == []


async def test_a_designation_puts_the_person_on_the_lists_and_a_removal_takes_them_off(
    harness: ServiceHarness[OutreachApplication], db: AsyncDatabase[Any]
) -> None:
    feed: RegistryFeed = harness.feed  # type: ignore[attr-defined]
    designated = feed.event("KeyContactDesignated", C, key_contact_reasons=["widowed_orphaned_alone"])
    harness.deliver(designated)
    harness.deliver(designated)
    await harness.run_projections(db)
    unpaired = await queries.unpaired(db, principal("350102002"), None, TODAY, None, 50)
    assert [r["person_id"] for r in unpaired.docs] == [B, C]
    # Counted from the day of the designation (the registry's event, 1 August), not from when it arrived.
    assert [(r["person_id"], r["contact_due"]) for r in await overdue(db, "350102002")] == [
        (B, "2026-08-31"),
        (C, "2026-10-30"),
    ]
    removed = feed.event("KeyContactRemoved", C, key_contact_reasons=[])
    harness.deliver(removed)
    harness.deliver(removed)
    await harness.run_projections(db)
    unpaired = await queries.unpaired(db, principal("350102002"), None, TODAY, None, 50)
    assert [r["person_id"] for r in unpaired.docs] == [B]
    assert [r["person_id"] for r in await overdue(db, "350102002")] == [B]


async def test_key_contacts_without_a_pairing(
    harness: ServiceHarness[OutreachApplication], db: AsyncDatabase[Any]
) -> None:
    harness.app.pair(staff="s1", person_ids=[UUID(B)], principal=principal("350102"), actor=ACTOR)
    await harness.run_projections(db)
    unpaired = await queries.unpaired(db, principal("35"), None, TODAY, None, 50)
    assert [r["person_id"] for r in unpaired.docs] == [A]  # C is not a key contact
    caseload = await pairing_queries.caseload(db, principal("35"), "s1", None)
    assert [(p["person_id"], p["schedule"]["contact_due"]) for p in caseload] == [(B, "2026-08-31")]


async def test_an_eligibility_alert_is_on_the_stations_to_do_list(
    harness: ServiceHarness[OutreachApplication],
    db: AsyncDatabase[Any],
    eligibility_alert: Callable[..., IntegrationEvent],
) -> None:
    alert = eligibility_alert(C, "350102002001", "turning_80", "2027-01-15")
    harness.deliver(alert)
    harness.deliver(alert)
    await harness.run_projections(db)
    page = await todo_queries.open_items(db, principal("350102002"), None, TODAY, 90, None, 50)
    assert [(i["person_id"], i["kind"], i["due_on"]) for i in page.docs] == [(C, "turning_80", "2027-01-15")]
    assert (await todo_queries.open_items(db, principal("350102001"), None, TODAY, 90, None, 50)).docs == []


class Watched:
    """The read models' database, noting the filter of every query sent to `schedules`."""

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.db = db
        self.filters: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        collection = getattr(self.db, name)
        return Sieve(collection, self.filters) if name == "schedules" else collection

    def __getitem__(self, name: str) -> Any:
        return self.db[name]


class Sieve:
    def __init__(self, collection: Any, filters: list[dict[str, Any]]) -> None:
        self.collection = collection
        self.filters = filters

    def find(self, query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        self.filters.append(query)
        return self.collection.find(query, *args, **kwargs)


async def test_the_due_and_overdue_lists_are_ranges_of_an_index_of_next_due_dates(
    harness: ServiceHarness[OutreachApplication], db: AsyncDatabase[Any]
) -> None:
    """Each query is an equality on a jurisdiction key and a range of `due_slot` ("<next due date>|<person>"),
    the two fields of one index the projection creates: a lookup, not a scan, for a county or the province."""
    await harness.run_projections(db)
    watched = Watched(db)
    for region in ("350102", "35"):
        assert (await queries.overdue(watched, principal(region), None, TODAY, None, 50)).docs  # type: ignore[arg-type]
        await queries.due(watched, principal(region), None, TODAY, 90, None, 50)  # type: ignore[arg-type]
    indexes = [[field for field, _ in spec["key"]] for spec in (await db.schedules.index_information()).values()]
    assert ["jurisdictions", "due_slot"] in indexes
    assert watched.filters
    for query in watched.filters:
        assert set(query) == {"jurisdictions", "due_slot"}, query
        assert isinstance(query["jurisdictions"], str)
        assert set(query["due_slot"]) <= {"$gt", "$gte", "$lt", "$lte"}, query
