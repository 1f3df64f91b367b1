"""Outreach's reactions to the registry's events, all of them at once (unit tests, in-memory store): a person
with a pairing, an open request, a campaign target and a to-do item. Whatever the event, its first delivery
changes something and a redelivery (the consumer restarted before committing its offset) records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from outreach.application import OutreachApplication
from outreach.domain.campaigns import Deadlines, Target, TargetGroup, TargetRule
from outreach.domain.requests import RequestCategory, RequestGrade
from outreach.service import definition
from vet_common.auth import Principal, Role
from vet_common.domain import Actor
from vet_contracts import IntegrationEvent
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

PERSON = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"
VILLAGE = "350102001001"  # 鼓楼区
RECEIVING = "350103001002"  # 台江区
CITY = Principal(sub="officer-1", name="李明", roles=frozenset({Role.officer}), region="3501")
ACTOR = Actor(sub="officer-1", role="officer")
# What each event's first delivery records besides the people replica's update: each part's own reaction.
EFFECTS = {
    "died": {"Pairing.Ended", "Request.PersonDeceasedNoted", "CampaignTarget.Died", "TodoItem.Cancelled"},
    "transferred": {"Pairing.Ended", "Request.Moved", "CampaignTarget.Moved", "TodoItem.Moved"},
    "designated": {"ContactFile.Followed"},
    "removed": {"Pairing.Ended", "ContactFile.Unpaired"},
    "alert": {"TodoItem.Raised"},
}


@pytest.fixture
def harness(eligibility_alert: Callable[..., IntegrationEvent]) -> ServiceHarness[OutreachApplication]:
    """1 September 2026: PERSON (registered 1 August, a key contact) is paired, has an open request, is a
    target of the city's drive and has an eligibility alert on the station's to-do list."""
    harness = ServiceHarness[OutreachApplication](definition, today=date(2026, 9, 1))
    feed = RegistryFeed()
    harness.deliver(feed.registered(PERSON, VILLAGE, key_contact_reasons=["living_in_difficulty"]))
    app = harness.app
    app.pair(staff="s1", person_ids=[UUID(PERSON)], principal=CITY, actor=ACTOR)
    app.register_request(
        person_id=PERSON, category=RequestCategory.medical, grade=RequestGrade.ordinary, summary="住院",
        found_in=None, department=None, assignee=None, principal=CITY, actor=ACTOR,
    )  # fmt: skip
    rule = TargetRule((TargetGroup(code="in_difficulty", key_contact_reasons=("living_in_difficulty",)),))
    deadlines = Deadlines(plan=date(2026, 9, 5), visits=date(2026, 9, 20), report=date(2026, 9, 25))
    campaign_id = app.plan_campaign(
        name="中秋走访", occasion="中秋", region="3501", rule=rule, deadlines=deadlines, principal=CITY, actor=ACTOR
    )
    app.launch_campaign(campaign_id, [Target(PERSON, VILLAGE, ("in_difficulty",))], CITY, ACTOR)
    harness.deliver(eligibility_alert(PERSON, VILLAGE, "turning_80", "2026-10-01", position=90))
    harness.feed = feed  # type: ignore[attr-defined]
    return harness


def event_of(kind: str, feed: RegistryFeed, eligibility_alert: Callable[..., IntegrationEvent]) -> IntegrationEvent:
    return {
        "died": lambda: feed.died(PERSON, died_on="2026-08-30"),
        "transferred": lambda: feed.transferred(PERSON, RECEIVING),
        "designated": lambda: feed.event(
            "KeyContactDesignated", PERSON, key_contact_reasons=["living_in_difficulty", "aged_80_or_over"]
        ),
        "removed": lambda: feed.event("KeyContactRemoved", PERSON, key_contact_reasons=[]),
        "alert": lambda: eligibility_alert(PERSON, VILLAGE, "turning_60_rural", "2026-11-01", 91, "a-2"),
    }[kind]()


@pytest.mark.parametrize("kind", ["died", "transferred", "designated", "removed", "alert"])
def test_a_redelivered_registry_event_records_nothing(
    harness: ServiceHarness[OutreachApplication], eligibility_alert: Callable[..., IntegrationEvent], kind: str
) -> None:
    event = event_of(kind, harness.feed, eligibility_alert)  # type: ignore[attr-defined]
    before = harness.recorded_count()
    harness.deliver(event)
    recorded = {type(e).__qualname__ for e in harness.all_events()[before:]}
    assert EFFECTS[kind] <= recorded, recorded
    changed = harness.recorded_count()
    harness.deliver(event)
    assert harness.recorded_count() == changed
    harness.published()  # the relay translates all of it (it raises on an event it cannot)
