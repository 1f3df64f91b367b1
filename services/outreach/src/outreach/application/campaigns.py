"""Commands about campaigns (走访慰问活动): plan, launch (freeze the targets), count visits, county summary tables."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from outreach.domain.campaigns import Campaign, CampaignCalendar, CampaignTarget, Deadlines, Target, TargetRule
from outreach.domain.contacts import Contact, ContactMethod
from outreach.domain.summaries import CountySummary, SummaryFigures
from vet_common.auth import Principal
from vet_common.domain import Actor, Invalid, NotFound, Refused
from vet_common.eventstore import ServiceApplication
from vet_common.jurisdiction import scope
from vet_common.policies import Policies
from vet_common.regions import is_within
from vet_contracts import registry

# Targets saved per transaction at launch: PostgreSQL locks the events table for each insert, so a 40,000-target
# list in one transaction would hold it for seconds; in these batches other commands get in between.
TARGETS_PER_TRANSACTION = 2000
SAVERS = 2
COUNTY_LENGTH = 6


class CampaignCommands(ServiceApplication):
    def plan_campaign(
        self,
        *,
        name: str,
        occasion: str,
        region: str,
        rule: TargetRule,
        deadlines: Deadlines,
        principal: Principal,
        actor: Actor,
    ) -> UUID:
        """Plan a campaign of `region` (the caller's jurisdiction or a part of it: Refused 403 outside)."""
        region = scope(principal, region)
        if deadlines.report < self.clock.today():
            raise Invalid(
                "deadlines.report",
                f"汇总表报送日期 {deadlines.report.isoformat()} 已过 (the report deadline is already past)",
            )
        campaign = Campaign.plan(
            name=name, occasion=occasion, region=region, rule=rule, deadlines=deadlines, actor=actor
        )
        self.save(campaign)
        return campaign.id

    def get_campaign(self, campaign_id: UUID, principal: Principal) -> Campaign:
        """A campaign the caller takes part in: organised by their region, above it or within it. NotFound else."""
        campaign = self.get_or_none(campaign_id)
        if not isinstance(campaign, Campaign) or not (
            principal.can_see(campaign.region) or is_within(principal.region, campaign.region)
        ):
            raise NotFound("查无此走访慰问活动或不在本辖区 (no such campaign in your jurisdiction)")
        return campaign

    def launchable_campaign(self, campaign_id: UUID, principal: Principal) -> Campaign:
        """The campaign, if the caller may launch it now (its region or above, planned, visits not yet due)."""
        campaign = self.get_campaign(campaign_id, principal)
        if not principal.can_see(campaign.region):
            raise Refused(f"只有 {campaign.region} 及上级可以启动本活动 (only the organising region can launch it)")
        campaign.ensure_launchable(self.clock.today())
        return campaign

    def launch_campaign(
        self, campaign_id: UUID, targets: Sequence[Target], principal: Principal, actor: Actor
    ) -> Campaign:
        """Freeze `targets` (chosen from the people read model) as the campaign's list.

        Launched is saved first, the targets in batches, TargetListFrozen last: until then contacts cannot name
        the campaign. A launch that failed half way is run again and resumes: targets saved already are kept.
        """
        campaign = self.launchable_campaign(campaign_id, principal)
        outside = [target.region for target in targets if not campaign.covers(target.region)]
        if outside:
            raise Invalid(
                "targets", f"走访对象不在活动地区 {campaign.region} 内 (targets outside the campaign's region)"
            )
        campaign.launch(self.clock.today(), actor)
        self.save(campaign)
        batches = [
            targets[start : start + TARGETS_PER_TRANSACTION]
            for start in range(0, len(targets), TARGETS_PER_TRANSACTION)
        ]
        # Two batches at a time: one is encoded (JSON, AES-GCM: Python, holding the GIL) while the other's insert
        # waits on the database (not holding it). Targets are separate aggregates, so their order does not matter.
        with ThreadPoolExecutor(max_workers=SAVERS, thread_name_prefix="launch") as savers:
            for saved in [savers.submit(self._save_targets, campaign.id, batch) for batch in batches]:
                saved.result()  # the first failure is raised; a launch run again resumes (see above)
        campaign.freeze(targets)
        calendar = self.get_or_none(CampaignCalendar.ID) or CampaignCalendar()
        calendar.add(campaign.id, campaign.report_due)
        self.save(campaign, calendar)
        return campaign

    def _save_targets(self, campaign_id: UUID, targets: Sequence[Target]) -> None:
        try:
            self.save_events([CampaignTarget.frozen_event(campaign_id, target) for target in targets])
        except IntegrityError:
            # A resumed launch: this batch was (partly) saved before. Save only the targets not yet there.
            missing = [
                target
                for target in targets
                if self.get_or_none(CampaignTarget.create_id(campaign_id, target.person_id)) is None
            ]
            self.save_events([CampaignTarget.frozen_event(campaign_id, target) for target in missing])

    # County summary tables (情况汇总表) --------------------------------------------------------------------------

    def submit_summary(
        self, campaign_id: UUID, county: str, figures: SummaryFigures, principal: Principal, actor: Actor
    ) -> CountySummary:
        """A county's table, submitted by its office (or one above it); a returned table is resubmitted."""
        campaign = self._frozen_campaign(campaign_id, principal)
        if len(county) != COUNTY_LENGTH or not campaign.covers(county):
            raise Invalid(
                "county", f"{county} 不是本活动地区 {campaign.region} 下的县（市、区）代码 (not a county of it)"
            )
        if not principal.can_see(county):
            raise Refused(f"只能报送本辖区（{principal.region}）的汇总表 (you can submit your own county's table only)")
        figures.check(campaign.rule.codes)
        summary: CountySummary | None = self.get_or_none(CountySummary.create_id(campaign.id, county))
        today = self.clock.today()
        if summary is None:
            summary = CountySummary.submit(campaign.id, county, figures, today, campaign.report_due, actor)
        else:
            summary.resubmit(figures, today, campaign.report_due, actor)
        self.save(summary)
        return summary

    def approve_summary(self, campaign_id: UUID, county: str, principal: Principal, actor: Actor) -> CountySummary:
        summary = self._summary_to_review(campaign_id, county, principal)
        summary.approve(self.clock.today(), actor)
        self.save(summary)
        return summary

    def return_summary(
        self, campaign_id: UUID, county: str, reason: str, principal: Principal, actor: Actor
    ) -> CountySummary:
        summary = self._summary_to_review(campaign_id, county, principal)
        summary.return_for_correction(reason, self.clock.today(), actor)
        self.save(summary)
        return summary

    def _frozen_campaign(self, campaign_id: UUID, principal: Principal) -> Campaign:
        campaign = self.get_campaign(campaign_id, principal)
        if not campaign.frozen:
            raise Invalid("campaign_id", "该活动尚未启动 (this campaign has not been launched yet)")
        return campaign

    def _summary_to_review(self, campaign_id: UUID, county: str, principal: Principal) -> CountySummary:
        """The level above the county reviews: a city (or province) office whose jurisdiction holds it."""
        campaign = self._frozen_campaign(campaign_id, principal)
        summary: CountySummary | None = self.get_or_none(CountySummary.create_id(campaign.id, county))
        if summary is None or not principal.can_see(county):
            raise NotFound(f"{county} 尚未报送汇总表或不在本辖区 (no summary table from {county} in your jurisdiction)")
        if len(principal.region) >= COUNTY_LENGTH:
            raise Refused("汇总表由上级（市、省）审核 (the level above the county reviews its table)")
        return summary


# Contacts naming a campaign ------------------------------------------------------------------------------------


def reached_targets(application: ServiceApplication, contact: Contact) -> list[CampaignTarget]:
    """The campaign target a contact reaches, changed, to save with the contact; none without a campaign.

    Invalid (422 on campaign_id) for a campaign that is unknown, not launched, not for where the person lives now
    (moved out of its region since the launch: the receiving side cannot see the campaign), or whose targets do
    not include the person: the contact is then not recorded at all.
    """
    if contact.campaign_id is None:
        return []
    campaign = application.get_or_none(_uuid_or_none(contact.campaign_id) or UUID(int=0))
    if not isinstance(campaign, Campaign) or not campaign.frozen:
        raise Invalid("campaign_id", "查无此走访慰问活动或活动尚未启动 (no such launched campaign)")
    if not campaign.covers(contact.region):
        raise Invalid(
            "campaign_id",
            f"该人员现居地不在此次活动地区（{campaign.region}）内 (the person has moved out of its region)",
        )
    target: CampaignTarget | None = application.get_or_none(CampaignTarget.create_id(campaign.id, contact.person_id))
    if target is None:
        raise Invalid(
            "campaign_id",
            "该人员不在此次活动的走访对象名单中 (this person is not on the campaign's frozen target list)",
        )
    target.reached_by(str(contact.id), in_person=not ContactMethod(contact.method).is_remote)
    return [target]


def released_targets(application: ServiceApplication, contact: Contact) -> list[CampaignTarget]:
    """For withdrawing a contact: its campaign target stops counting it (save the result with the withdrawal)."""
    if contact.campaign_id is None:
        return []
    target: CampaignTarget | None = application.get_or_none(
        CampaignTarget.create_id(contact.campaign_id, contact.person_id)
    )
    return [target] if target is not None and target.release(str(contact.id)) else []


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


# Reactions to the registry -------------------------------------------------------------------------------------

campaign_policies = Policies()


def _open_targets(application: ServiceApplication, person_id: str) -> list[CampaignTarget]:
    """The person's targets in campaigns still being reported on: a finished one keeps its figures."""
    calendar: CampaignCalendar | None = application.get_or_none(CampaignCalendar.ID)
    found = [
        application.get_or_none(CampaignTarget.create_id(campaign_id, person_id))
        for campaign_id in (calendar.open_on(application.clock.today()) if calendar else ())
    ]
    return [target for target in found if target is not None]


@campaign_policies.on(registry.PersonTransferred)
def move_campaign_targets(application: ServiceApplication, event: registry.PersonTransferred) -> list[CampaignTarget]:
    """The person's targets move to their new region: the receiving county visits and counts them, the old one no
    longer sees them. Moving out of a campaign's region, they are counted as moved away (迁出) where they lived.
    Moving to where a target already is (a redelivery) does nothing."""
    to_region = event.data.to_region
    moved: list[CampaignTarget] = []
    for target in _open_targets(application, event.data.person_id):
        campaign = application.get_or_none(UUID(target.campaign_id))
        within = isinstance(campaign, Campaign) and campaign.covers(to_region)
        if target.move(to_region) if within else target.move_away(to_region):
            moved.append(target)
    return moved


@campaign_policies.on(registry.PersonDied)
def mark_campaign_targets_deceased(application: ServiceApplication, event: registry.PersonDied) -> list[CampaignTarget]:
    """A target not reached yet leaves those still to visit (counted as deceased); once only, however often the
    event is delivered."""
    died_on = date.fromisoformat(event.data.died_on)
    return [target for target in _open_targets(application, event.data.person_id) if target.died(died_on)]
