"""Assistance HTTP routes."""

from __future__ import annotations

import asyncio
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistance.application import AssistanceApplication
from vet_common.api import actor_of, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.domain import SystemClock
from vet_common.money import format_yuan
from vet_common.regions import InvalidRegion, validate_jurisdiction

Assistance = Annotated[AssistanceApplication, Depends(get_application)]
router = APIRouter(tags=["funds"])


class FundIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "2026年解三难资金", "region": "350102", "year": 2026, "budget_fen": 160000}]
        }
    )

    name: str = Field(min_length=1, max_length=100, description="e.g. 2026年解三难资金")
    region: str = Field(description="Owning region: a jurisdiction prefix such as 350102 (county)")
    year: int = Field(ge=2000, le=2100)
    budget_fen: int = Field(ge=0, le=10**14, description="Budget in fen (分): 1,600 yuan is 160000")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("请填写资金名称 (name is required)")
        return value.strip()

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        try:
            return validate_jurisdiction(value)
        except InvalidRegion as error:
            raise ValueError(str(error)) from None

    @field_validator("year")
    @classmethod
    def _year(cls, value: int) -> int:
        if value > SystemClock().today().year + 1:
            raise ValueError("资金年度最多可提前一年设立 (a fund can be set up at most one year ahead)")
        return value


class Created(BaseModel):
    id: UUID


class FundOut(BaseModel):
    id: UUID
    name: str
    region: str
    year: int
    budget_fen: int
    budget_yuan: str


@router.post(
    "/funds",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    dependencies=[Depends(require_roles(Role.officer, Role.admin))],
)
async def create_fund(body: FundIn, principal: CurrentPrincipal, assistance: Assistance) -> Created:
    if not principal.can_see(body.region):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"只能为本辖区（{principal.region}）设立资金 (you may only create funds in your jurisdiction)",
        )
    fund_id = await asyncio.to_thread(
        assistance.create_fund,
        name=body.name,
        region=body.region,
        year=body.year,
        budget_fen=body.budget_fen,
        actor=actor_of(principal),
    )
    return Created(id=fund_id)


@router.get("/funds/{fund_id}", response_model=FundOut)
async def get_fund(fund_id: UUID, principal: CurrentPrincipal, assistance: Assistance) -> FundOut:
    fund = await asyncio.to_thread(assistance.get_fund, fund_id)
    if fund is None or not principal.can_see(fund.region):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "查无此资金 (no such fund in your jurisdiction)")
    return FundOut(
        id=fund.id,
        name=fund.name,
        region=fund.region,
        year=fund.year,
        budget_fen=fund.budget_fen,
        budget_yuan=format_yuan(fund.budget_fen),
    )
