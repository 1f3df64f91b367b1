"""Funds (帮扶资金): created with a budget and rules, budget raised or cut with a reason, rules versioned."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistance import queries
from assistance.api.deps import (
    MANAGING,
    MAX_PAGE_SIZE,
    Assistance,
    Changing,
    Created,
    Page,
    Reason,
    etag,
    page_out,
    run,
)
from assistance.domain import Fund
from assistance.rules import FUND_KIND_NAMES, PERIODIC, FundKind, Rules
from vet_common.api import AppClock, IfMatch, ReadModels, actor_of
from vet_common.auth import CurrentPrincipal
from vet_common.domain import Invalid, Refused
from vet_common.money import Fen, format_yuan
from vet_common.openapi import problems
from vet_common.regions import InvalidRegion, validate_jurisdiction

router = APIRouter(tags=["funds"])

EXAMPLE_RULES: Any = {
    "eligibility": {"categories": [], "key_contact_reasons": [], "household": None},
    "amount": {"kind": "fixed", "amount_fen": 160000},
    "yearly_ceiling_fen": 300000,
    "approval": {"accept": "township", "levels": [{"level": "county", "from_fen": 0}]},
}


class FundIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "2026年临时困难救助",
                    "kind": "temporary_hardship_aid",
                    "region": "350102",
                    "year": 2026,
                    "budget_fen": 50000000,
                    "rules": EXAMPLE_RULES,
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=100, description="e.g. 2026年解三难资金")
    kind: FundKind
    region: str = Field(description="Owning region: a jurisdiction prefix such as 350102 (county)")
    year: int = Field(ge=2000, le=2100)
    budget_fen: Fen = Field(le=10**14, description="Budget in fen (分): 1,600 yuan is 160000")
    rules: Rules

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("请填写资金名称 (name is required)")
        return value.strip()

    _region = field_validator("region")(classmethod(lambda cls, value: jurisdiction(value)))


def jurisdiction(value: str) -> str:
    try:
        return validate_jurisdiction(value)
    except InvalidRegion as error:
        raise ValueError(str(error)) from None


class FundOut(BaseModel):
    id: UUID
    version: int
    name: str
    kind: FundKind
    kind_name: str
    region: str
    year: int
    budget_fen: int
    committed_fen: int
    disbursed_fen: int
    remaining_fen: int
    budget_yuan: str
    remaining_yuan: str
    rules_version: int
    rules: Rules


def fund_out(fund: Fund) -> FundOut:
    return FundOut(
        id=fund.id,
        version=fund.version,
        name=fund.name,
        kind=FundKind(fund.kind),
        kind_name=FUND_KIND_NAMES[FundKind(fund.kind)],
        region=fund.region,
        year=fund.year,
        budget_fen=fund.budget_fen,
        committed_fen=fund.committed_fen,
        disbursed_fen=fund.disbursed_fen,
        remaining_fen=fund.remaining_fen,
        budget_yuan=format_yuan(fund.budget_fen),
        remaining_yuan=format_yuan(fund.remaining_fen),
        rules_version=fund.rules_version,
        rules=fund.rules,
    )


@router.post("/funds", status_code=status.HTTP_201_CREATED, response_model=Created, dependencies=[MANAGING])
async def create_fund(body: FundIn, principal: CurrentPrincipal, assistance: Assistance, clock: AppClock) -> Created:
    """Set up a fund for a year with its budget and first rules (version 1)."""
    if not principal.can_see(body.region):
        raise Refused(f"只能为本辖区（{principal.region}）设立资金 (you may only create funds in your jurisdiction)")
    if body.year > clock.today().year + 1:
        raise Invalid("year", "资金年度最多可提前一年设立 (a fund can be set up at most one year ahead)")
    if (body.kind == FundKind.regular_entitlement) != isinstance(body.rules.amount, PERIODIC):
        raise Invalid(
            "rules.amount",
            "定期抚恤补助资金按月或按年金额发放（kind=monthly 或 yearly），其他资金不能 "
            "(a regular entitlement pays a monthly or yearly amount, and only it does)",
        )
    fund_id = await run(
        assistance.create_fund,
        name=body.name,
        kind=body.kind,
        region=body.region,
        year=body.year,
        budget_fen=body.budget_fen,
        rules=body.rules,
        actor=actor_of(principal),
    )
    return Created(id=fund_id)


@router.get("/funds", response_model=Page, responses=problems(403))
async def find_funds(
    principal: CurrentPrincipal,
    db: ReadModels,
    region: Annotated[str | None, Query(description="Region prefix within your jurisdiction")] = None,
    after: Annotated[str | None, Query(max_length=400, description="`next` of the page before")] = None,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Page:
    """Funds of your jurisdiction and those above it you may apply to, with budget, committed and remaining."""
    return page_out(await queries.find_funds(db, principal, region, after, page_size))


@router.get("/funds/{fund_id}", response_model=FundOut)
async def get_fund(fund_id: UUID, response: Response, principal: CurrentPrincipal, assistance: Assistance) -> FundOut:
    """A fund's budget, what is committed and paid, what remains, and its current rules."""
    fund = await run(assistance.fund, fund_id, principal)
    response.headers.update(etag(fund.version))
    return fund_out(fund)


class BudgetIn(Reason):
    model_config = ConfigDict(json_schema_extra={"examples": [{"budget_fen": 80000000, "reason": "年中追加预算"}]})

    budget_fen: Fen = Field(le=10**14, description="The new budget in fen (never below what is committed)")


@router.post("/funds/{fund_id}/budget", response_model=FundOut, responses=problems(403, 409), dependencies=[MANAGING])
async def change_budget(fund_id: UUID, body: BudgetIn, change: Changing) -> FundOut:
    """Raise or cut the budget, with a reason. Refused (409) below what is already committed."""
    return fund_out(await change(change.assistance.change_budget, fund_id, body.budget_fen, body.reason))


class RulesIn(Reason):
    rules: Rules


@router.post("/funds/{fund_id}/rules", response_model=FundOut, responses=problems(403), dependencies=[MANAGING])
async def version_rules(
    fund_id: UUID,
    body: RulesIn,
    response: Response,
    principal: CurrentPrincipal,
    assistance: Assistance,
    expected: IfMatch,
) -> FundOut:
    """New rules, as a new version: applications decided before keep the version they were decided on."""
    await run(assistance.version_rules, fund_id, body.rules, body.reason, principal, expected)
    fund = await run(assistance.fund, fund_id, principal)
    response.headers.update(etag(fund.version))
    return fund_out(fund)


class CeilingIn(Reason):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"region": "350102", "year": 2026, "ceiling_fen": 2000000, "reason": "全区统筹每人每年上限"}]
        }
    )

    region: str = Field(description="The department's region: its funds and those below it")
    year: int = Field(ge=2000, le=2100)
    ceiling_fen: Fen = Field(le=10**14, description="Per person and year, across those funds")

    _region = field_validator("region")(classmethod(lambda cls, value: jurisdiction(value)))


class CeilingOut(BaseModel):
    region: str
    year: int
    ceiling_fen: int


@router.post("/ceilings", response_model=CeilingOut, responses=problems(403), dependencies=[MANAGING])
async def set_ceiling(body: CeilingIn, principal: CurrentPrincipal, assistance: Assistance) -> CeilingOut:
    """A department's per-person yearly ceiling across its funds; approvals from now on are checked against it."""
    ceiling = await run(assistance.set_ceiling, body.region, body.year, body.ceiling_fen, body.reason, principal)
    return CeilingOut(region=ceiling.region, year=ceiling.year, ceiling_fen=ceiling.ceiling_fen)
