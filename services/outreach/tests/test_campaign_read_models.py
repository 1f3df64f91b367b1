"""Campaign read models: the launch selects from the people read model; progress is counted per region at every
level by the projector, follows a transferred target, and does not count twice when a batch is replayed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from outreach.application import OutreachApplication
from outreach.application.contacts import ContactDetails
from outreach.domain.campaigns import Campaign, Deadlines, TargetGroup, TargetRule
from outreach.projections.campaigns import PROGRESS, campaigns_of, list_targets, progress, select_targets
from outreach.projections.targeting import FACETS
from outreach.service import definition
from vet_common.projector import CHECKPOINTS
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

from .test_campaigns import CITY, DEADLINES, LIANDU, LIANDU_VILLAGE, QINGTIAN, QINGTIAN_VILLAGE, RULE, actor, officer

pytestmark = pytest.mark.integration


def person(n: int) -> str:
    return f"b2c7a4f1-0000-4000-8000-{n:012d}"


async def test_launch_selects_from_the_read_model_and_progress_is_counted_at_every_level(
    mongo_db: AsyncDatabase[Any],
) -> None:
    db = mongo_db
    harness = ServiceHarness[OutreachApplication](definition, today=date(2022, 7, 15))
    feed = RegistryFeed(occurred_at=datetime(2022, 1, 1, tzinfo=UTC))  # registered before the 2022 drive
    for event in (
        feed.registered(person(1), LIANDU_VILLAGE, key_contact_reasons=["unemployed"]),
        feed.registered(person(2), "331102002001", birth_year=1941),
        feed.registered(person(3), QINGTIAN_VILLAGE, birth_year=1939, key_contact_reasons=["unemployed"]),
        feed.registered(person(4), LIANDU_VILLAGE),  # in no group
        feed.registered(person(5), "330102001001", key_contact_reasons=["unemployed"]),  # another city
        feed.registered(person(6), LIANDU_VILLAGE, key_contact_reasons=["unemployed"]),
    ):
        harness.deliver(event)
    harness.deliver(feed.died(person(6)))
    await harness.run_projections(db)

    city = officer()
    campaign_id = harness.app.plan_campaign(
        name="八一大走访",
        occasion="八一",
        region=CITY,
        rule=RULE,
        deadlines=DEADLINES,
        principal=city,
        actor=actor(city),
    )
    campaign = harness.app.launchable_campaign(campaign_id, city)
    targets = await select_targets(db, campaign)
    assert sorted((t.person_id, t.groups) for t in targets) == [
        (person(1), ("unemployed",)),
        (person(2), ("aged_80_plus",)),
        (person(3), ("unemployed", "aged_80_plus")),
    ]
    # A group led by a broad fact reads the people read model (no facet holds it).
    rural = Campaign.plan(
        name="农村走访",
        occasion="春节",
        region=CITY,
        rule=TargetRule((TargetGroup(code="rural", households=("rural",)),)),
        deadlines=DEADLINES,
        actor=actor(city),
    )
    assert {t.person_id for t in await select_targets(db, rural)} == {person(n) for n in (1, 2, 3, 4)}

    # Before the worker has indexed the target facets (a fresh deployment), the people read model gives the same.
    await db[FACETS].drop()
    assert set(await select_targets(db, campaign)) == set(targets)
    harness.app.launch_campaign(campaign_id, targets, city, actor(city))
    harness.clock.set(date(2022, 7, 28))  # the visits' day: a contact is never dated after today
    for who, method in ((1, "home_visit"), (3, "phone")):
        staff = officer(LIANDU if who == 1 else QINGTIAN)
        harness.app.record_contact(
            person_id=uuid.UUID(person(who)),
            details=ContactDetails(
                method=method, contacted_on=date(2022, 7, 28), staff=staff.sub, campaign_id=str(campaign_id)
            ),
            principal=staff,
            actor=actor(staff),
        )
    await harness.run_projections(db)

    figures = await progress(db, str(campaign_id), CITY)
    assert {k: figures[k] for k in ("targets", "reached_in_person", "reached_remotely", "not_reached")} == {
        "targets": 3,
        "reached_in_person": 1,
        "reached_remotely": 1,
        "not_reached": 1,
    }
    assert [(row["region"], row["targets"], row["not_reached"]) for row in figures["regions"]] == [
        (LIANDU, 2, 1),
        (QINGTIAN, 1, 0),
    ]
    township = await progress(db, str(campaign_id), "331102002")
    assert (township["targets"], township["regions"][0]["region"]) == (1, "331102002001")
    assert (await progress(db, str(campaign_id), "33"))["targets"] == 3

    # The person reached by phone moves to 莲都: the figures follow them, a redelivery changes nothing.
    transfer = feed.transferred(person(3), LIANDU_VILLAGE)
    harness.deliver(transfer)
    harness.deliver(transfer)
    await harness.run_projections(db)
    rows = {row["region"]: row for row in (await progress(db, str(campaign_id), CITY))["regions"]}
    assert (rows[LIANDU]["targets"], rows[LIANDU]["reached_remotely"]) == (3, 1)
    assert (rows[QINGTIAN]["targets"], rows[QINGTIAN]["reached_remotely"]) == (0, 0)

    # 莲都's unreached target dies: off those not reached (counted as deceased) and off the township's open list.
    died = feed.died(person(2), "2022-07-30")
    harness.deliver(died)
    harness.deliver(died)
    await harness.run_projections(db)
    liandu = await progress(db, str(campaign_id), LIANDU)
    assert (liandu["targets"], liandu["not_reached"], liandu["deceased"]) == (3, 0, 1)
    assert await list_targets(db, str(campaign_id), "331102002", "not_reached", None, 10) == []
    (gone,) = await list_targets(db, str(campaign_id), "331102002", "deceased", None, 10)
    assert gone["person_id"] == person(2)

    # Replaying the whole log (a checkpoint lost after the writes) counts nothing twice.
    before = await db[PROGRESS].find({}, {"position": 0}, sort=[("_id", 1)]).to_list()
    await db[CHECKPOINTS].delete_many({})
    assert await harness.run_projections(db) > 0
    assert await db[PROGRESS].find({}, {"position": 0}, sort=[("_id", 1)]).to_list() == before


async def test_the_campaigns_one_takes_part_in_are_those_of_ones_region_above_it_and_within_it(
    mongo_db: AsyncDatabase[Any],
) -> None:
    harness = ServiceHarness[OutreachApplication](definition, today=date(2022, 7, 15))

    def plan(region: str, name: str, visits: date) -> str:
        organiser = officer(region)
        deadlines = Deadlines(plan=date(2022, 7, 20), visits=visits, report=visits)
        return str(
            harness.app.plan_campaign(
                name=name, occasion="八一", region=region, rule=RULE, deadlines=deadlines,
                principal=organiser, actor=actor(organiser),
            )
        )  # fmt: skip

    city = plan(CITY, "丽水市八一走访", date(2022, 8, 1))
    county = plan(LIANDU, "莲都区春节走访", date(2022, 9, 1))
    plan("3301", "杭州市八一走访", date(2022, 8, 1))
    await harness.run_projections(mongo_db)

    async def ids(region: str) -> list[str]:
        docs, _ = await campaigns_of(mongo_db, region, None, 20)
        return [doc["_id"] for doc in docs]

    assert await ids("331102001") == [county, city]  # a township: its county's and its city's, latest first
    assert await ids(QINGTIAN) == [city]
    assert await ids(CITY) == [county, city]
    assert len(await ids("33")) == 3  # the province: every city's
    first, cursor = await campaigns_of(mongo_db, CITY, None, 1)
    rest, end = await campaigns_of(mongo_db, CITY, cursor, 1)
    assert ([doc["_id"] for doc in first + rest], end) == ([county, city], None)
