"""Campaigns (走访慰问活动): plan, launch, progress per region, county summary tables (情况汇总表)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field
from pymongo.asynchronous.database import AsyncDatabase

from outreach.application import OutreachApplication
from outreach.domain.campaigns import (
    DECEASED,
    IN_PERSON,
    MOVED_AWAY,
    NOT_REACHED,
    REMOTE,
    Campaign,
    Deadlines,
    TargetGroup,
    TargetRule,
)
from outreach.domain.summaries import SummaryFigures
from outreach.projections.campaigns import (
    CAMPAIGN_PAGE,
    campaigns_of,
    county_summaries,
    list_targets,
    progress,
    select_targets,
)
from vet_common.api import AppClock, actor_of, get_application, get_db
from vet_common.auth import CurrentPrincipal, Principal, Role, require_roles
from vet_common.domain import Invalid
from vet_common.jurisdiction import scope
from vet_common.openapi import problem

Outreach = Annotated[OutreachApplication, Depends(get_application)]
ReadModels = Annotated[AsyncDatabase[Any], Depends(get_db)]
router = APIRouter(tags=["campaigns"])
OFFICERS = Depends(require_roles(Role.officer, Role.admin))


class GroupIn(BaseModel):
    """One target group: every dimension it names must match, any one value within a dimension."""

    code: str = Field(max_length=40, description="e.g. unemployed, aged_80_plus (counts are kept by this code)")
    categories: list[str] = Field(default=[], max_length=12, description="人员类别, e.g. discharged_soldier")
    key_contact_reasons: list[str] = Field(default=[], max_length=10, description="重点对象, e.g. unemployed")
    disability_levels: list[int] = Field(default=[], max_length=10, description="伤残等级 1–10")
    households: list[str] = Field(default=[], max_length=2, description="rural 农村, urban 城镇")
    min_age: int | None = Field(default=None, description="aged this or over in the year of age_on")
    age_on: dt.date | None = Field(default=None, description="the date the age is counted on (e.g. 2022-08-01)")

    def group(self) -> TargetGroup:
        return TargetGroup(
            code=self.code,
            categories=tuple(self.categories),
            key_contact_reasons=tuple(self.key_contact_reasons),
            disability_levels=tuple(self.disability_levels),
            households=tuple(self.households),
            min_age=self.min_age,
            age_on=self.age_on,
        )


class RuleIn(BaseModel):
    groups: list[GroupIn] = Field(max_length=20, description="a person in any of the groups is a target")


class DeadlinesIn(BaseModel):
    plan: dt.date = Field(description="活动方案 due")
    visits: dt.date = Field(description="走访完成 due")
    report: dt.date = Field(description="情况汇总表 due")


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="e.g. 2022年八一建军节退役军人大走访")
    occasion: str = Field(min_length=1, max_length=50, description="e.g. 八一, 春节")
    region: str = Field(description="the organising region (your jurisdiction or part of it), e.g. 3311")
    targets: RuleIn
    deadlines: DeadlinesIn


class Created(BaseModel):
    id: UUID


class CampaignOut(BaseModel):
    id: UUID
    name: str
    occasion: str
    region: str
    status: str
    targets: dict[str, Any]
    deadlines: dict[str, dt.date]
    launched_on: dt.date | None
    frozen: bool
    target_count: int
    by_group: dict[str, int]
    by_county: dict[str, int]
    version: int


class ProgressRow(BaseModel):
    region: str
    targets: int
    reached_in_person: int
    reached_remotely: int = Field(description="by phone, video, WeChat or SMS only")
    not_reached: int
    deceased: int = Field(description="died before being reached: no longer to visit, off the not-reached count")
    moved_away: int = Field(
        default=0,
        description="moved out of the campaign's region before being reached (迁出): counted where they lived, "
        "no longer to visit, off the not-reached count",
    )


class ProgressOut(ProgressRow):
    regions: list[ProgressRow] = Field(description="the region's sub-regions one level down")


class SummaryIn(BaseModel):
    county: str = Field(min_length=6, max_length=6, description="the county's 6-digit code, e.g. 331102")
    visited_by_group: dict[str, Annotated[int, Field(ge=0)]] = Field(description="people visited per target group")
    money_fen: int = Field(ge=0, description="慰问金 handed out, in fen")
    goods_fen: int = Field(ge=0, description="慰问品 handed out, their value in fen")
    problems_found: int = Field(ge=0)
    problems_solved: int = Field(ge=0)


class ReturnIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000, description="what the county is to correct")


class SummaryOut(BaseModel):
    campaign_id: UUID
    county: str
    status: str
    late: bool
    version: int


class CountyRow(BaseModel):
    county: str
    status: str = Field(description="missing, submitted, approved or returned")
    overdue: bool = Field(description="the report deadline has passed and no table awaits or passed review")
    late: bool
    submitted_on: dt.date | None
    reason: str | None = Field(description="why it was returned")
    visited_by_group: dict[str, int] | None
    money_fen: int | None
    goods_fen: int | None
    problems_found: int | None
    problems_solved: int | None


class RollUp(BaseModel):
    visited_by_group: dict[str, int]
    money_fen: int
    goods_fen: int
    problems_found: int
    problems_solved: int
    counties: dict[str, int] = Field(
        description="how many counties are missing, submitted, approved, returned, overdue"
    )


class SummariesOut(BaseModel):
    region: str
    report_due: dt.date
    counties: list[CountyRow]
    roll_up: RollUp = Field(description="the sum of the tables submitted or approved")


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        occasion=campaign.occasion,
        region=campaign.region,
        status=campaign.status,
        targets=campaign.rule_data,
        deadlines={"plan": campaign.plan_due, "visits": campaign.visits_due, "report": campaign.report_due},
        launched_on=campaign.launched_on,
        frozen=campaign.frozen,
        target_count=campaign.targets,
        by_group=campaign.by_group,
        by_county=campaign.by_county,
        version=campaign.version,
    )


def summary_out(summary: Any) -> SummaryOut:
    return SummaryOut(
        campaign_id=UUID(summary.campaign_id),
        county=summary.county,
        status=summary.status,
        late=summary.late,
        version=summary.version,
    )


@router.post(
    "/campaigns",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses=problem(403, "The region is outside your jurisdiction"),
    dependencies=[OFFICERS],
)
async def plan_campaign(body: CampaignIn, principal: CurrentPrincipal, outreach: Outreach) -> Created:
    """Plan a campaign: its target rule (groups) and its deadlines, in order. Launch it to freeze its targets."""
    rule = TargetRule(tuple(group.group() for group in body.targets.groups))
    deadlines = Deadlines(plan=body.deadlines.plan, visits=body.deadlines.visits, report=body.deadlines.report)
    campaign_id = await asyncio.to_thread(
        outreach.plan_campaign,
        name=body.name.strip(),
        occasion=body.occasion.strip(),
        region=body.region,
        rule=rule,
        deadlines=deadlines,
        principal=principal,
        actor=actor_of(principal),
    )
    return Created(id=campaign_id)


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: UUID, principal: CurrentPrincipal, outreach: Outreach) -> CampaignOut:
    """A campaign of your region, of a region above it, or of one within it."""
    return campaign_out(await asyncio.to_thread(outreach.get_campaign, campaign_id, principal))


@router.post(
    "/campaigns/{campaign_id}/launch",
    response_model=CampaignOut,
    responses={
        **problem(403, "Only the organising region (or above) launches a campaign"),
        **problem(409, "Launched already, or the visits deadline has passed"),
    },
    dependencies=[OFFICERS],
)
async def launch_campaign(
    campaign_id: UUID, principal: CurrentPrincipal, outreach: Outreach, db: ReadModels
) -> CampaignOut:
    """Freeze the target list: everyone living in the campaign's region now who is in one of its groups.
    People registered later do not join it."""
    campaign = await asyncio.to_thread(outreach.launchable_campaign, campaign_id, principal)
    targets = await select_targets(db, campaign)
    launched = await asyncio.to_thread(outreach.launch_campaign, campaign_id, targets, principal, actor_of(principal))
    return campaign_out(launched)


@router.get("/campaigns/{campaign_id}/progress", response_model=ProgressOut)
async def campaign_progress(
    campaign_id: UUID,
    principal: CurrentPrincipal,
    outreach: Outreach,
    db: ReadModels,
    region: Annotated[str | None, Query(description="a region of your jurisdiction; yours by default")] = None,
) -> ProgressOut:
    """Targets, reached in person, reached remotely and not reached, in a region and each region below it."""
    campaign, prefix = await _campaign_in(outreach, campaign_id, principal, region)
    return ProgressOut(**await progress(db, str(campaign.id), prefix))


class TargetOut(BaseModel):
    person_id: str
    region: str
    groups: list[str]
    reach: str = Field(
        description="in_person, remote, not_reached, deceased (died before being reached), or moved_away (moved out "
        "of the campaign's region before being reached)"
    )


class TargetsPage(BaseModel):
    targets: list[TargetOut]
    next: str | None = Field(description="pass as `after` for the next page; null on the last")


TOWNSHIP_LENGTH = 9


@router.get("/campaigns/{campaign_id}/targets", response_model=TargetsPage)
async def campaign_targets(
    campaign_id: UUID,
    principal: CurrentPrincipal,
    outreach: Outreach,
    db: ReadModels,
    region: Annotated[str, Query(description="a township (9 digits) or village of your jurisdiction")],
    reach: Annotated[
        str | None, Query(pattern=f"^({IN_PERSON}|{REMOTE}|{NOT_REACHED}|{DECEASED}|{MOVED_AWAY})$")
    ] = None,
    after: Annotated[str | None, Query(max_length=64, description="the `next` of the page before")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TargetsPage:
    """Who is on the frozen list in a township or village, e.g. who is not reached yet (reach=not_reached)."""
    campaign, prefix = await _campaign_in(outreach, campaign_id, principal, region)
    if len(prefix) < TOWNSHIP_LENGTH:
        raise Invalid(
            "region",
            "名单按乡镇（街道）或村（社区）查询，请给出 9 位或 12 位代码；县以上请看进度 (list a township or village; "
            "for a county or above see /progress)",
        )
    rows = await list_targets(db, str(campaign.id), prefix, reach, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return TargetsPage(targets=[TargetOut(**row) for row in rows], next=rows[-1]["person_id"] if more else None)


@router.post(
    "/campaigns/{campaign_id}/summaries",
    response_model=SummaryOut,
    responses={
        **problem(403, "Not your county"),
        **problem(409, "The table awaits review or was approved: only a returned table is resubmitted"),
    },
    dependencies=[OFFICERS],
)
async def submit_summary(
    campaign_id: UUID, body: SummaryIn, principal: CurrentPrincipal, outreach: Outreach
) -> SummaryOut:
    """A county's summary table (情况汇总表); after the report deadline it is accepted but marked late."""
    figures = SummaryFigures(
        visited_by_group=body.visited_by_group,
        money_fen=body.money_fen,
        goods_fen=body.goods_fen,
        problems_found=body.problems_found,
        problems_solved=body.problems_solved,
    )
    summary = await asyncio.to_thread(
        outreach.submit_summary, campaign_id, body.county, figures, principal, actor_of(principal)
    )
    return summary_out(summary)


@router.post(
    "/campaigns/{campaign_id}/summaries/{county}/approve",
    response_model=SummaryOut,
    responses={**problem(403, "Only the level above the county reviews"), **problem(409, "Not awaiting review")},
    dependencies=[OFFICERS],
)
async def approve_summary(
    campaign_id: UUID, county: str, principal: CurrentPrincipal, outreach: Outreach
) -> SummaryOut:
    summary = await asyncio.to_thread(outreach.approve_summary, campaign_id, county, principal, actor_of(principal))
    return summary_out(summary)


@router.post(
    "/campaigns/{campaign_id}/summaries/{county}/return",
    response_model=SummaryOut,
    responses={**problem(403, "Only the level above the county reviews"), **problem(409, "Not awaiting review")},
    dependencies=[OFFICERS],
)
async def return_summary(
    campaign_id: UUID, county: str, body: ReturnIn, principal: CurrentPrincipal, outreach: Outreach
) -> SummaryOut:
    """Return a table with what to correct; the county resubmits it."""
    summary = await asyncio.to_thread(
        outreach.return_summary, campaign_id, county, body.reason.strip(), principal, actor_of(principal)
    )
    return summary_out(summary)


@router.get("/campaigns/{campaign_id}/summaries", response_model=SummariesOut)
async def list_summaries(
    campaign_id: UUID,
    principal: CurrentPrincipal,
    outreach: Outreach,
    db: ReadModels,
    clock: AppClock,
    region: Annotated[str | None, Query(description="a city or province: its counties and roll-up")] = None,
) -> SummariesOut:
    """Each county's table and whether it is overdue (the day after the report deadline), and the roll-up."""
    campaign, prefix = await _campaign_in(outreach, campaign_id, principal, region)
    return SummariesOut(**await county_summaries(db, campaign, prefix, clock.today()))


async def _campaign_in(
    outreach: OutreachApplication, campaign_id: UUID, principal: Principal, region: str | None
) -> tuple[Campaign, str]:
    """The campaign and the region asked about: by default the smaller of the campaign's region and the caller's
    jurisdiction (one holds the other); 403 for a region outside the caller's."""
    campaign = await asyncio.to_thread(outreach.get_campaign, campaign_id, principal)
    default = campaign.region if len(campaign.region) > len(principal.region) else principal.region
    return campaign, scope(principal, region or default)


class CampaignRow(BaseModel):
    id: UUID
    name: str
    occasion: str
    region: str
    status: str = Field(description="planned or launched")
    deadlines: dict[str, dt.date] = Field(description="plan, visits and report")
    launched_on: dt.date | None
    target_count: int | None = Field(description="Once launched and the target list is frozen")


class CampaignPage(BaseModel):
    items: list[CampaignRow] = Field(description="The latest visits deadline first")
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


@router.get("/campaigns", response_model=CampaignPage)
async def list_campaigns(
    principal: CurrentPrincipal,
    db: ReadModels,
    after: Annotated[str | None, Query(max_length=100, description="`next` of the page before")] = None,
    limit: Annotated[int, Query(ge=1, le=CAMPAIGN_PAGE)] = 20,
) -> CampaignPage:
    """The campaigns you take part in: organised by your region, a region above it or one within it."""
    docs, following = await campaigns_of(db, principal.region, after, limit)
    items = [
        CampaignRow(
            id=doc["_id"],
            name=doc["name"],
            occasion=doc["occasion"],
            region=doc["region"],
            status=doc["status"],
            deadlines={"plan": doc["plan_due"], "visits": doc["visits_due"], "report": doc["report_due"]},
            launched_on=doc.get("launched_on"),
            target_count=doc.get("targets"),
        )
        for doc in docs
    ]
    return CampaignPage(items=items, next=following)
