"""What outreach publishes on vet.outreach.v1 for pairings, contacts and campaigns: each event fits its schema,
carries the region, and no free text (findings, reasons) or names; with the request ledger's
(test_requests.py::test_every_request_event_published_validates_against_its_schema) every type is published."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import jsonschema

from outreach.application import OutreachApplication
from outreach.application.contacts import ContactDetails
from outreach.domain.campaigns import Deadlines, Target, TargetGroup, TargetRule
from outreach.domain.pairings import EndReason
from outreach.domain.summaries import SummaryFigures
from outreach.service import definition
from vet_common.asyncapi import event_json_schemas
from vet_common.auth import Principal, Role
from vet_common.domain import Actor
from vet_contracts import IntegrationEvent
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

A = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"
OFFICER = Principal(sub="s1", name="李明", roles=frozenset({Role.officer}), region="350102")
ACTOR = Actor(sub="s1", role="officer")
PAIRINGS_AND_CONTACTS = ["PairingStarted", "PairingEnded", "ContactRecorded", "ContactCorrected", "ContactWithdrawn"]
CAMPAIGNS = [
    "CampaignLaunched",
    "TargetListFrozen",
    "CampaignSummarySubmitted",
    "CampaignSummaryReturned",
    "CampaignSummarySubmitted",
    "CampaignSummaryApproved",
]
SCHEMAS = event_json_schemas(definition)


def fits(event: IntegrationEvent, region: str, *never: str) -> None:
    """The event validates against its schema, names `region`, and holds none of the texts `never`."""
    jsonschema.validate(event.model_dump(mode="json"), SCHEMAS[event.type])
    assert event.region == region
    raw = event.to_bytes().decode()
    for text in never:
        assert text not in raw


def test_pairings_and_corrections_are_published_without_free_text() -> None:
    harness = ServiceHarness[OutreachApplication](definition, today=date(2026, 9, 1))
    feed = RegistryFeed()
    harness.deliver(feed.registered(A, "350102001001", key_contact_reasons=["serious_illness"]))
    app = harness.app
    (pairing,) = app.pair(staff="s1", person_ids=[UUID(A)], principal=OFFICER, actor=ACTOR)
    app.end_pairing(pairing, reason=EndReason.staff_left, principal=OFFICER, actor=ACTOR)
    details = ContactDetails(method="phone", contacted_on=date(2026, 8, 20), staff="s1", findings="住院治疗中")
    contact = app.record_contact(person_id=A, details=details, principal=OFFICER, actor=ACTOR)
    app.correct_contact(contact, changes={"method": "video"}, reason="张三说是视频", principal=OFFICER, actor=ACTOR)
    app.withdraw_contact(contact, reason="记错了人，应为李四", principal=OFFICER, actor=ACTOR)

    published = harness.published()
    assert [e.type for e in published] == PAIRINGS_AND_CONTACTS
    for event in published:
        fits(event, "350102001001", "住院", "张三", "李四")
    corrected = published[3].data
    assert (corrected["corrected"], corrected["method"], corrected["contacted_on"]) == (
        ["method"],
        "video",
        "2026-08-20",
    )
    assert published[1].data["reason"] == "staff_left"


def test_a_campaign_publishes_counts_and_its_county_tables_figures_only() -> None:
    harness = ServiceHarness[OutreachApplication](definition, today=date(2022, 7, 15))
    feed = RegistryFeed(occurred_at=datetime(2022, 1, 1, tzinfo=UTC))
    harness.deliver(feed.registered(A, "331102001001", key_contact_reasons=["unemployed"]))
    city = Principal(sub="o1", name="蔡跃新", roles=frozenset({Role.officer}), region="3311")
    county = Principal(sub="o2", name="何建东", roles=frozenset({Role.officer}), region="331102")
    app = harness.app
    campaign = app.plan_campaign(
        name="八一走访",
        occasion="八一",
        region="3311",
        rule=TargetRule((TargetGroup(code="unemployed", key_contact_reasons=("unemployed",)),)),
        deadlines=Deadlines(plan=date(2022, 7, 23), visits=date(2022, 8, 1), report=date(2022, 8, 2)),
        principal=city,
        actor=ACTOR,
    )
    app.launch_campaign(campaign, [Target(A, "331102001001", ("unemployed",))], city, ACTOR)
    figures = SummaryFigures(
        visited_by_group={"unemployed": 1}, money_fen=50_000, goods_fen=0, problems_found=1, problems_solved=1
    )
    app.submit_summary(campaign, "331102", figures, county, ACTOR)
    app.return_summary(campaign, "331102", "王建国的慰问金漏报", city, ACTOR)
    app.submit_summary(campaign, "331102", figures, county, ACTOR)
    app.approve_summary(campaign, "331102", city, ACTOR)

    published = [event for event in harness.published() if event.type in CAMPAIGNS]
    assert [event.type for event in published] == CAMPAIGNS
    for event in published:
        fits(event, "3311" if event.type in CAMPAIGNS[:2] else "331102", A, "王建国", "八一走访")
    assert published[4].data["resubmission"] is True
    # Every type outreach publishes is among these, or the request ledger's.
    requests = {name for name in SCHEMAS if name.startswith("Request")}
    assert set(SCHEMAS) - requests == set(PAIRINGS_AND_CONTACTS) | set(CAMPAIGNS)
