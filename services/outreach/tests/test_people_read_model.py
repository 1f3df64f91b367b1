"""The people read model follows outreach's replica of the registry's events: campaign targets and key contacts
without a pairing are chosen from it, so it must reflect every change, in the person's current region."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from outreach.application import OutreachApplication
from outreach.service import definition
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

PERSON = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"
pytestmark = pytest.mark.integration


async def test_a_person_is_kept_with_their_groups_in_their_current_region(db: AsyncDatabase[Any]) -> None:
    harness = ServiceHarness[OutreachApplication](definition)
    feed = RegistryFeed()
    for event in (
        feed.registered(PERSON, "350102001001"),
        feed.event("KeyContactDesignated", PERSON, key_contact_reasons=["serious_illness"]),
        feed.transferred(PERSON, "350103001002"),
    ):
        harness.deliver(event)
        harness.deliver(event)  # a redelivery changes nothing
    await harness.run_projections(db)

    person = await db.people.find_one({"jurisdictions": "350103", "person_id": PERSON}, {"_id": 0})
    assert person is not None
    assert person["region"] == "350103001002"
    assert person["key_contact_reasons"] == ["serious_illness"]
    assert person["key_contact"] is True
    assert person["registry_version"] == 3
    assert await db.people.count_documents({"jurisdictions": "350102"}) == 0
