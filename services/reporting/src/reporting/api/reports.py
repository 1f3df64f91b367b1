"""Report approval (报表审核): a county submits a period's report, the city approves or returns it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field, field_validator

from reporting import queries
from reporting.api.deps import Reporting, family_of, run
from reporting.domain.reports import ReportApproval
from reporting.statistics import BY_TOPIC
from reporting.statistics.periods import parse_period
from vet_common.api import AppClock, ReadModels, actor_of
from vet_common.auth import CurrentPrincipal, Principal, Role, require_roles
from vet_common.domain import Invalid, Refused
from vet_common.jurisdiction import ensure_visible, scope, within
from vet_common.openapi import problem
from vet_common.regions import InvalidRegion, parent_of, validate_jurisdiction

router = APIRouter(tags=["reports"])
COUNTY = 6


class ReportIn(BaseModel):
    topic: str = Field(description="The statistic, e.g. people")

    @field_validator("topic")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in BY_TOPIC:
            raise ValueError(f"没有“{value}”这项统计，可选：{'、'.join(BY_TOPIC)} (no statistic {value!r})")
        return value

    region: str = Field(description="The county's code (6 digits)")
    period: str = Field(description="A year, quarter or month: 2026, 2026-Q3, 2026-07")


class ReturnIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="退回原因: what the county should correct")


class ReportCreated(BaseModel):
    id: UUID


class ReportOut(BaseModel):
    id: str
    topic: str
    region: str
    period: str
    status: str = Field(description="submitted, returned or approved (locked)")
    figures: dict[str, Any]
    submitted_by: str
    submitted_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


def report_out(doc: dict[str, Any]) -> ReportOut:
    return ReportOut(id=doc["_id"], **{k: v for k, v in doc.items() if k in ReportOut.model_fields and k != "id"})


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportCreated,
    responses=problem(409, "Already submitted or approved"),
    dependencies=[Depends(require_roles(Role.officer, Role.admin))],
)
async def submit(
    body: ReportIn, principal: CurrentPrincipal, reporting: Reporting, db: ReadModels, clock: AppClock
) -> ReportCreated:
    """A county submits a period's figures of one statistic for the city's approval (上报)."""
    family = family_of(body.topic)
    try:
        region = validate_jurisdiction(body.region)
    except InvalidRegion as error:
        raise Invalid("region", str(error)) from None
    if len(region) != COUNTY:
        raise Invalid("region", "报表由区县上报，请填写 6 位区县代码 (a report is a county's: give its 6-digit code)")
    scope(principal, region)
    period = parse_period(body.period)
    if period.kind == "all":
        raise Invalid("period", "请选择年、季度或月份 (choose a year, quarter or month)")
    figures = await queries.live_figures(db, family, region, period, clock.today())
    snapshot = {"total": figures.total, "rows": figures.children}
    report_id = await run(reporting.submit_report, family.topic, region, period.key, snapshot, actor_of(principal))
    return ReportCreated(id=report_id)


async def visible_report(reporting: Any, report_id: UUID, principal: Principal) -> ReportApproval:
    report = await run(reporting.get_report, report_id)
    ensure_visible(principal, report.region if report else None, "报表")
    assert report is not None
    return report


def ensure_city_decides(principal: Principal, report: ReportApproval) -> None:
    city = parent_of(report.region)
    if city is None or len(principal.region) > len(city) or not principal.can_see(city):
        raise Refused("报表由上一级（市）审核 (the city above the county reviews its report)")


@router.post(
    "/reports/{report_id}/approve",
    response_model=ReportCreated,
    responses=problem(409, "Not awaiting review"),
    dependencies=[Depends(require_roles(Role.approver, Role.admin))],
)
async def approve(report_id: UUID, principal: CurrentPrincipal, reporting: Reporting) -> ReportCreated:
    """The city approves the county's report (审核通过): its figures are locked."""
    report = await visible_report(reporting, report_id, principal)
    ensure_city_decides(principal, report)
    await run(reporting.approve_report, report_id, actor_of(principal))
    return ReportCreated(id=report_id)


@router.post(
    "/reports/{report_id}/return",
    response_model=ReportCreated,
    responses=problem(409, "Not awaiting review"),
    dependencies=[Depends(require_roles(Role.approver, Role.admin))],
)
async def return_report(
    report_id: UUID, body: ReturnIn, principal: CurrentPrincipal, reporting: Reporting
) -> ReportCreated:
    """The city returns the report to the county with a reason (退回); the county submits it again."""
    report = await visible_report(reporting, report_id, principal)
    ensure_city_decides(principal, report)
    await run(reporting.return_report, report_id, actor_of(principal), body.reason)
    return ReportCreated(id=report_id)


@router.get("/reports", response_model=list[ReportOut])
async def list_reports(
    principal: CurrentPrincipal,
    db: ReadModels,
    region: Annotated[str | None, Query(description="Region prefix, default your jurisdiction")] = None,
    period: Annotated[str, Query(description="2026, 2026-Q3 or 2026-07")] = "",
) -> list[ReportOut]:
    """The reports of a period in a region (the city sees its counties')."""
    key = parse_period(period).key
    docs = await db.reports.find({**within(principal, region), "period": key}, limit=200).to_list()
    return [report_out(doc) for doc in sorted(docs, key=lambda d: (d["region"], d["topic"]))]
