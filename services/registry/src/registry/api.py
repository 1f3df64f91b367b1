"""Registry HTTP routes: thin translation between HTTP and the application."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator, model_validator

from registry.application import AlreadyRegistered, Registration, RegistryApplication
from registry.domain import CATEGORY_NAMES, Category
from vet_common.api import actor_of, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.idnumber import InvalidIdNumber, mask_id_number, parse_id_number
from vet_common.regions import InvalidRegion, full_name, validate_region_code

Registry = Annotated[RegistryApplication, Depends(get_application)]
router = APIRouter(tags=["persons"])
can_register = require_roles(Role.station_staff, Role.officer, Role.admin)


class PersonIn(BaseModel):
    id_number: str = Field(description="18-digit citizen ID number (公民身份号码)")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    sex: Literal["male", "female"] | None = Field(default=None, description="Derived from the ID number if left out")
    birth_date: date | None = Field(default=None, description="Derived from the ID number if left out")
    region: str = Field(description="12-digit region code of the person's village or community")
    categories: list[Category] = Field(min_length=1, description="One or more of the 12 national categories")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("请填写姓名 (name is required)")
        return value

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        try:
            return parse_id_number(value).value
        except InvalidIdNumber as error:
            raise ValueError(str(error)) from None

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        try:
            return validate_region_code(value)
        except InvalidRegion as error:
            raise ValueError(str(error)) from None

    @field_validator("categories")
    @classmethod
    def _unique(cls, value: list[Category]) -> list[Category]:
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _agrees_with_id_number(self) -> PersonIn:
        parsed = parse_id_number(self.id_number)
        if self.birth_date is not None and self.birth_date != parsed.birth_date:
            raise ValueError(
                f"出生日期与身份证号码不符，身份证号码显示为 {parsed.birth_date.isoformat()} "
                "(birth_date does not match the ID number)"
            )
        if self.sex is not None and self.sex != parsed.sex:
            raise ValueError(f"性别与身份证号码不符 (sex does not match the ID number, which says {parsed.sex})")
        return self


class Created(BaseModel):
    id: UUID


class PersonOut(BaseModel):
    id: UUID
    name: str
    id_number: str = Field(description="Masked unless revealed")
    sex: str
    birth_date: date
    region: str
    region_name: str | None
    categories: list[Category]
    category_names: list[str]
    status: str
    version: int


@router.post(
    "/persons",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses={409: {"description": "The ID number already has an active record; body has existing_id"}},
    dependencies=[Depends(can_register)],
)
async def register_person(body: PersonIn, principal: CurrentPrincipal, registry: Registry) -> Created | JSONResponse:
    if not principal.can_see(body.region):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"只能登记本辖区（{principal.region}）的人员 (you may only register people in your jurisdiction)",
        )
    parsed = parse_id_number(body.id_number)
    registration = Registration(
        id_number=body.id_number,
        name=body.name,
        sex=body.sex or parsed.sex,
        birth_date=body.birth_date or parsed.birth_date,
        region=body.region,
        categories=[c.value for c in body.categories],
    )
    try:
        person_id = await asyncio.to_thread(registry.register_person, registration, actor_of(principal))
    except AlreadyRegistered as error:
        return JSONResponse(
            {
                "detail": "该身份证号码已有在册档案，请勿重复登记 (this ID number is already registered)",
                "existing_id": str(error.existing_id),
            },
            status_code=status.HTTP_409_CONFLICT,
        )
    return Created(id=person_id)


@router.get("/persons/{person_id}", response_model=PersonOut, responses={404: {"description": "Not found"}})
async def get_person(person_id: UUID, principal: CurrentPrincipal, registry: Registry) -> PersonOut:
    person = await asyncio.to_thread(registry.get_person, person_id)
    if person is None or not principal.can_see(person.region):
        # Out-of-jurisdiction ids look exactly like unknown ones.
        raise HTTPException(status.HTTP_404_NOT_FOUND, "查无此人或不在本辖区 (no such person in your jurisdiction)")
    return PersonOut(
        id=person.id,
        name=person.name,
        id_number=mask_id_number(person.id_number),
        sex=person.sex,
        birth_date=person.birth_date,
        region=person.region,
        region_name=full_name(person.region),
        categories=[Category(c) for c in person.categories],
        category_names=[CATEGORY_NAMES[Category(c)] for c in person.categories],
        status=person.status,
        version=person.version,
    )
