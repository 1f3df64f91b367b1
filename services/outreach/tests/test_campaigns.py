"""Campaign commands on an in-memory store: planning, launching (the frozen list), visits reaching targets,
a transferred person's targets, county summary tables. Every refusal records nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from outreach.application import OutreachApplication, campaigns
from outreach.application.contacts import ContactDetails
from outreach.domain.campaigns import CampaignTarget, Deadlines, Target, TargetGroup, TargetRule
from outreach.domain.schedule import ContactFile
from outreach.domain.summaries import SummaryFigures
from outreach.service import definition
from vet_common.auth import Principal, Role
from vet_common.domain import Actor, Conflict, DomainError, Invalid, NotFound, Refused
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

CITY = "3311"  # 丽水市
LIANDU = "331102"  # 莲都区
QINGTIAN = "331121"  # 青田县
LIANDU_VILLAGE = "331102001001"
QINGTIAN_VILLAGE = "331121001001"
UNEMPLOYED = "a1b6a3e0-0000-4000-8000-000000000001"
ELDER = "a1b6a3e0-0000-4000-8000-000000000002"
NEIGHBOUR = "a1b6a3e0-0000-4000-8000-000000000003"
RULE = TargetRule(
    (
        TargetGroup(code="unemployed", key_contact_reasons=("unemployed",)),
        TargetGroup(code="aged_80_plus", min_age=80, age_on=date(2022, 8, 1)),
    )
)
DEADLINES = Deadlines(plan=date(2022, 7, 23), visits=date(2022, 8, 1), report=date(2022, 8, 2))
TARGETS = [Target(UNEMPLOYED, LIANDU_VILLAGE, ("unemployed",)), Target(ELDER, QINGTIAN_VILLAGE, ("aged_80_plus",))]


def officer(region: str = CITY, role: Role = Role.officer) -> Principal:
    return Principal(sub=f"officer-{region}", name="蔡跃新", roles=frozenset({role}), region=region)


def actor(principal: Principal) -> Actor:
    return Actor(sub=principal.sub, role="officer")


@pytest.fixture
def harness() -> ServiceHarness[OutreachApplication]:
    harness = ServiceHarness[OutreachApplication](definition, today=date(2022, 7, 15))
    feed = RegistryFeed(occurred_at=datetime(2022, 1, 1, tzinfo=UTC))  # registered before the 2022 drive
    harness.deliver(feed.registered(UNEMPLOYED, LIANDU_VILLAGE, key_contact_reasons=["unemployed"]))
    harness.deliver(feed.registered(ELDER, QINGTIAN_VILLAGE, birth_year=1940))
    harness.deliver(feed.registered(NEIGHBOUR, LIANDU_VILLAGE))
    harness.feed = feed  # type: ignore[attr-defined]
    return harness


def plan(harness: ServiceHarness[OutreachApplication], principal: Principal | None = None, **overrides: object) -> UUID:
    principal = principal or officer()
    arguments: dict[str, object] = {
        "name": "2022年八一建军节退役军人大走访",
        "occasion": "八一",
        "region": CITY,
        "rule": RULE,
        "deadlines": DEADLINES,
        **overrides,
    }
    return harness.app.plan_campaign(**arguments, principal=principal, actor=actor(principal))  # type: ignore[arg-type]


def launched(harness: ServiceHarness[OutreachApplication]) -> UUID:
    campaign_id = plan(harness)
    harness.app.launch_campaign(campaign_id, TARGETS, officer(), actor(officer()))
    return campaign_id


def visit(harness: ServiceHarness[OutreachApplication], person: str, campaign_id: UUID, method: str) -> UUID:
    staff = officer(QINGTIAN if person == ELDER else LIANDU)
    harness.clock.set(date(2022, 7, 28))  # the visit's day: a contact is never dated after today
    return harness.app.record_contact(
        person_id=UUID(person),
        details=ContactDetails(
            method=method, contacted_on=date(2022, 7, 28), staff=staff.sub, campaign_id=str(campaign_id)
        ),
        principal=staff,
        actor=actor(staff),
    )


def refused(harness: ServiceHarness[OutreachApplication], error: type[DomainError], command: object) -> DomainError:
    """Run the command; it must raise `error` and record nothing."""
    before = harness.recorded_count()
    with pytest.raises(error) as raised:
        command()  # type: ignore[operator]
    assert harness.recorded_count() == before
    return raised.value


# Planning and launching -------------------------------------------------------------------------------------


def test_a_campaign_outside_the_callers_jurisdiction_is_refused(harness: ServiceHarness[OutreachApplication]) -> None:
    refused(harness, Refused, lambda: plan(harness, officer(LIANDU)))


def test_a_campaign_whose_report_deadline_has_passed_is_refused(harness: ServiceHarness[OutreachApplication]) -> None:
    past = Deadlines(plan=date(2022, 6, 1), visits=date(2022, 6, 10), report=date(2022, 6, 12))
    error = refused(harness, Invalid, lambda: plan(harness, deadlines=past))
    assert isinstance(error, Invalid)
    assert error.field == "deadlines.report"


def test_launching_freezes_the_targets_and_publishes_counts_only(harness: ServiceHarness[OutreachApplication]) -> None:
    campaign_id = launched(harness)
    campaign = harness.app.get_campaign(campaign_id, officer(LIANDU))  # a county sees its city's campaign
    assert (campaign.frozen, campaign.targets) == (True, 2)
    assert campaign.by_group == {"unemployed": 1, "aged_80_plus": 1}
    assert campaign.by_county == {LIANDU: 1, QINGTIAN: 1}
    target = harness.app.get_or_none(CampaignTarget.create_id(campaign_id, ELDER))
    assert (target.region, target.groups, target.reach) == (QINGTIAN_VILLAGE, ["aged_80_plus"], "not_reached")

    published = {event.type: event for event in harness.published()}
    assert {"CampaignLaunched", "TargetListFrozen"} <= set(published)
    assert published["CampaignLaunched"].region == CITY
    assert published["CampaignLaunched"].data["target_groups"] == ["unemployed", "aged_80_plus"]
    frozen = published["TargetListFrozen"].data
    assert frozen == {
        "campaign_id": str(campaign_id),
        "targets": 2,
        "by_group": {"unemployed": 1, "aged_80_plus": 1},
        "by_county": {LIANDU: 1, QINGTIAN: 1},
    }
    assert UNEMPLOYED not in str(published["TargetListFrozen"].model_dump())


def test_a_frozen_list_is_not_launched_again(harness: ServiceHarness[OutreachApplication]) -> None:
    campaign_id = launched(harness)
    refused(harness, Conflict, lambda: harness.app.launch_campaign(campaign_id, TARGETS, officer(), actor(officer())))


def test_only_the_organising_region_launches_and_not_after_the_visits_deadline(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    campaign_id = plan(harness)
    refused(
        harness, Refused, lambda: harness.app.launch_campaign(campaign_id, TARGETS, officer(LIANDU), actor(officer()))
    )
    refused(
        harness, NotFound, lambda: harness.app.launch_campaign(campaign_id, TARGETS, officer("3301"), actor(officer()))
    )
    harness.clock.set(date(2022, 8, 2))
    refused(harness, Conflict, lambda: harness.app.launch_campaign(campaign_id, TARGETS, officer(), actor(officer())))


def test_a_launch_is_saved_in_batches_and_resumes_after_a_failure(
    harness: ServiceHarness[OutreachApplication], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(campaigns, "TARGETS_PER_TRANSACTION", 2)
    many = [Target(f"p-{n}", LIANDU_VILLAGE, ("unemployed",)) for n in range(5)]
    campaign_id = plan(harness)
    # A launch that stopped after its first batch: Launched and two targets were saved, nothing else.
    campaign = harness.app.launchable_campaign(campaign_id, officer())
    campaign.launch(date(2022, 7, 15), actor(officer()))
    harness.app.save(campaign, *(CampaignTarget.frozen(campaign_id, target) for target in many[:3]))

    harness.app.launch_campaign(campaign_id, many, officer(), actor(officer()))
    assert harness.app.get_campaign(campaign_id, officer()).targets == 5
    assert all(len(harness.events(CampaignTarget.create_id(campaign_id, t.person_id))) == 1 for t in many)


# Visits reaching targets -------------------------------------------------------------------------------------


def test_a_visit_naming_the_campaign_reaches_its_target_remotely_then_in_person(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    campaign_id = launched(harness)
    target_id = CampaignTarget.create_id(campaign_id, ELDER)
    visit(harness, ELDER, campaign_id, "wechat")  # living elsewhere: reached by WeChat
    assert harness.app.get_or_none(target_id).reach == "remote"
    visit(harness, ELDER, campaign_id, "home_visit")
    visit(harness, ELDER, campaign_id, "phone")  # a later call does not undo the visit
    assert harness.app.get_or_none(target_id).reach == "in_person"


def test_a_campaigns_visit_counts_toward_the_contact_rules(harness: ServiceHarness[OutreachApplication]) -> None:
    campaign_id = launched(harness)
    visit(harness, UNEMPLOYED, campaign_id, "home_visit")
    file = harness.app.get_or_none(ContactFile.create_id(UNEMPLOYED))
    assert isinstance(file, ContactFile)
    assert (file.last_contact, file.last_home_visit) == (date(2022, 7, 28), date(2022, 7, 28))


def test_a_visit_naming_a_campaign_the_person_is_not_a_target_of_is_422(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    campaign_id = launched(harness)
    error = refused(harness, Invalid, lambda: visit(harness, NEIGHBOUR, campaign_id, "home_visit"))
    assert isinstance(error, Invalid)
    assert error.field == "campaign_id"
    assert "不在此次活动的走访对象名单中" in error.message


def test_a_visit_naming_a_campaign_not_launched_is_422(harness: ServiceHarness[OutreachApplication]) -> None:
    campaign_id = plan(harness)
    error = refused(harness, Invalid, lambda: visit(harness, UNEMPLOYED, campaign_id, "home_visit"))
    assert "尚未启动" in error.message


def test_a_withdrawn_contact_stops_counting(harness: ServiceHarness[OutreachApplication]) -> None:
    campaign_id = launched(harness)
    contact_id = visit(harness, ELDER, campaign_id, "video")
    target = campaigns.released_targets(harness.app, harness.app.get_contact(contact_id))  # type: ignore[arg-type]
    harness.app.save(*target)
    assert harness.app.get_or_none(CampaignTarget.create_id(campaign_id, ELDER)).reach == "not_reached"
    assert campaigns.released_targets(harness.app, harness.app.get_contact(contact_id)) == []  # type: ignore[arg-type]


# A transferred person ---------------------------------------------------------------------------------------


def test_a_transfer_moves_the_persons_targets_once_even_when_redelivered(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    campaign_id = launched(harness)
    transfer = harness.feed.transferred(UNEMPLOYED, QINGTIAN_VILLAGE)  # type: ignore[attr-defined]
    harness.deliver(transfer)
    harness.deliver(transfer)
    target_id = CampaignTarget.create_id(campaign_id, UNEMPLOYED)
    assert harness.app.get_or_none(target_id).region == QINGTIAN_VILLAGE
    assert [type(e).__name__ for e in harness.events(target_id)] == ["Frozen", "Moved"]


def test_a_target_who_moves_out_of_the_campaigns_region_is_not_visited_under_it_by_the_receiving_side(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    campaign_id = launched(harness)
    hangzhou_village = "330102001001"
    moved = harness.feed.transferred(UNEMPLOYED, hangzhou_village)  # type: ignore[attr-defined]
    harness.deliver(moved)
    harness.deliver(moved)  # redelivered: recorded once
    hangzhou = officer("330102")
    refused(harness, NotFound, lambda: harness.app.get_campaign(campaign_id, hangzhou))
    harness.clock.set(date(2022, 7, 28))
    details = ContactDetails(
        method="home_visit", contacted_on=date(2022, 7, 28), staff="s", campaign_id=str(campaign_id)
    )
    error = refused(
        harness,
        Invalid,
        lambda: harness.app.record_contact(
            person_id=UUID(UNEMPLOYED), details=details, principal=hangzhou, actor=actor(hangzhou)
        ),
    )
    assert isinstance(error, Invalid)
    assert (error.field, "不在此次活动地区（3311）内" in error.message) == ("campaign_id", True)
    # The campaign's own figures keep them, where they lived, as moved away (迁出): no longer to visit.
    target_id = CampaignTarget.create_id(campaign_id, UNEMPLOYED)
    target = harness.app.get_or_none(target_id)
    assert (target.reach, target.region, target.moved_away_to) == ("moved_away", LIANDU_VILLAGE, hangzhou_village)
    assert [type(e).__name__ for e in harness.events(target_id)] == ["Frozen", "MovedAway"]
    back = harness.feed.transferred(UNEMPLOYED, QINGTIAN_VILLAGE)  # type: ignore[attr-defined]
    harness.deliver(back)  # moving back during the drive does not put them on the list again
    assert harness.app.get_or_none(target_id).reach == "moved_away"
    assert [type(e).__name__ for e in harness.events(target_id)] == ["Frozen", "MovedAway"]


def test_a_target_reached_before_moving_away_stays_reached(harness: ServiceHarness[OutreachApplication]) -> None:
    campaign_id = launched(harness)
    visit(harness, UNEMPLOYED, campaign_id, "home_visit")
    harness.deliver(harness.feed.transferred(UNEMPLOYED, "330102001001"))  # type: ignore[attr-defined]
    target = harness.app.get_or_none(CampaignTarget.create_id(campaign_id, UNEMPLOYED))
    assert (target.reach, target.region) == ("in_person", LIANDU_VILLAGE)


def test_a_transfer_after_the_report_deadline_leaves_the_campaign_as_it_was(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    campaign_id = launched(harness)
    harness.clock.set(date(2022, 8, 3))
    harness.deliver(harness.feed.transferred(UNEMPLOYED, QINGTIAN_VILLAGE))  # type: ignore[attr-defined]
    assert harness.app.get_or_none(CampaignTarget.create_id(campaign_id, UNEMPLOYED)).region == LIANDU_VILLAGE


def test_a_target_who_dies_unreached_leaves_those_to_visit_once_and_one_reached_stays_reached(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    campaign_id = launched(harness)
    visit(harness, ELDER, campaign_id, "phone")
    for person in (UNEMPLOYED, ELDER):
        died = harness.feed.died(person, "2022-07-29")  # type: ignore[attr-defined]
        harness.deliver(died)
        harness.deliver(died)
    unreached = CampaignTarget.create_id(campaign_id, UNEMPLOYED)
    assert harness.app.get_or_none(unreached).reach == "deceased"
    assert [type(e).__name__ for e in harness.events(unreached)] == ["Frozen", "Died"]
    assert harness.app.get_or_none(CampaignTarget.create_id(campaign_id, ELDER)).reach == "remote"


# County summary tables ----------------------------------------------------------------------------------------

FIGURES = SummaryFigures(
    visited_by_group={"unemployed": 1}, money_fen=50_000, goods_fen=20_000, problems_found=2, problems_solved=1
)


def submit(
    harness: ServiceHarness[OutreachApplication], campaign_id: UUID, figures: SummaryFigures = FIGURES
) -> object:
    return harness.app.submit_summary(campaign_id, LIANDU, figures, officer(LIANDU), actor(officer(LIANDU)))


def test_a_county_submits_the_city_returns_it_is_resubmitted_late_and_approved(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    campaign_id = launched(harness)
    harness.clock.set(date(2022, 8, 2))
    assert submit(harness, campaign_id).late is False  # type: ignore[attr-defined]
    refused(harness, Conflict, lambda: submit(harness, campaign_id))  # awaiting review: not again
    city = officer()
    harness.app.return_summary(campaign_id, LIANDU, "慰问金合计有误", city, actor(city))
    harness.clock.set(date(2022, 8, 3))
    resubmitted = submit(harness, campaign_id)
    assert (resubmitted.status, resubmitted.late) == ("submitted", True)  # type: ignore[attr-defined]
    assert harness.app.approve_summary(campaign_id, LIANDU, city, actor(city)).status == "approved"
    refused(harness, Conflict, lambda: harness.app.approve_summary(campaign_id, LIANDU, city, actor(city)))

    types = [event.type for event in harness.published() if event.type.startswith("CampaignSummary")]
    assert types == [
        "CampaignSummarySubmitted",
        "CampaignSummaryReturned",
        "CampaignSummarySubmitted",
        "CampaignSummaryApproved",
    ]
    returned = next(event for event in harness.published() if event.type == "CampaignSummaryReturned")
    assert "慰问金" not in str(returned.model_dump())  # the reason stays in outreach
    assert returned.region == LIANDU


def test_a_county_does_not_review_its_own_table(harness: ServiceHarness[OutreachApplication]) -> None:
    campaign_id = launched(harness)
    submit(harness, campaign_id)
    county = officer(LIANDU)
    refused(harness, Refused, lambda: harness.app.approve_summary(campaign_id, LIANDU, county, actor(county)))
    other = officer(QINGTIAN)
    refused(harness, NotFound, lambda: harness.app.approve_summary(campaign_id, LIANDU, other, actor(other)))


@pytest.mark.parametrize(
    ("figures", "field"),
    [
        (
            SummaryFigures(
                visited_by_group={"pirates": 1}, money_fen=0, goods_fen=0, problems_found=0, problems_solved=0
            ),
            "visited_by_group",
        ),
        (
            SummaryFigures(visited_by_group={}, money_fen=0, goods_fen=0, problems_found=1, problems_solved=2),
            "problems_solved",
        ),
    ],
)
def test_a_table_that_cannot_be_right_is_refused_on_its_field(
    harness: ServiceHarness[OutreachApplication], figures: SummaryFigures, field: str
) -> None:
    campaign_id = launched(harness)
    error = refused(harness, Invalid, lambda: submit(harness, campaign_id, figures))
    assert isinstance(error, Invalid)
    assert error.field == field


def test_a_county_submits_only_its_own_table(harness: ServiceHarness[OutreachApplication]) -> None:
    campaign_id = launched(harness)
    other = officer(QINGTIAN)
    refused(harness, Refused, lambda: harness.app.submit_summary(campaign_id, LIANDU, FIGURES, other, actor(other)))
    error = refused(
        harness,
        Invalid,
        lambda: harness.app.submit_summary(campaign_id, "330102", FIGURES, officer(), actor(officer())),
    )
    assert isinstance(error, Invalid)
    assert error.field == "county"


def test_a_target_frozen_without_its_aggregate_is_the_event_the_aggregate_records() -> None:
    campaign_id = UUID("0f7e3c1a-0000-4000-8000-000000000001")
    built = CampaignTarget.frozen(campaign_id, TARGETS[0]).collect_events()[0]
    direct = CampaignTarget.frozen_event(campaign_id, TARGETS[0])
    assert type(direct) is type(built)
    assert {**vars(direct), "timestamp": None} == {**vars(built), "timestamp": None}
    assert CampaignTarget.Frozen.mutate(direct, None).reach == "not_reached"  # type: ignore[attr-defined]
