"""What outreach publishes on vet.outreach.v1 for pairings and corrected or withdrawn contacts: each event fits
its schema, carries the region, and no free text (findings, reasons)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import jsonschema

from outreach.application import OutreachApplication
from outreach.application.contacts import ContactDetails
from outreach.domain.pairings import EndReason
from outreach.service import definition
from vet_common.asyncapi import event_json_schemas
from vet_common.auth import Principal, Role
from vet_common.domain import Actor
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

A = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"
OFFICER = Principal(sub="s1", name="李明", roles=frozenset({Role.officer}), region="350102")
ACTOR = Actor(sub="s1", role="officer")


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
    assert [e.type for e in published] == [
        "PairingStarted",
        "PairingEnded",
        "ContactRecorded",
        "ContactCorrected",
        "ContactWithdrawn",
    ]
    schemas = event_json_schemas(definition)
    for event in published:
        jsonschema.validate(event.model_dump(mode="json"), schemas[event.type])
        assert event.region == "350102001001"
        raw = event.to_bytes().decode()
        for text in ("住院", "张三", "李四"):
            assert text not in raw
    corrected = published[3].data
    assert (corrected["corrected"], corrected["method"], corrected["contacted_on"]) == (
        ["method"],
        "video",
        "2026-08-20",
    )
    assert published[1].data["reason"] == "staff_left"
