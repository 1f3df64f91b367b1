"""Keeping a record up to date: each change is its own command with its own event.

A deceased person's record takes no further changes (409) except an officer's correction with a reason.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field, field_validator, model_validator

from registry.api.deps import CAN_CORRECT, CAN_EDIT, Registry, domain_errors, run, visible_person
from registry.api.views import PersonOut, person_view
from registry.domain import PROFILE_DIMENSIONS, Category, KeyContactReason, Person
from registry.validation import ServiceRecord, normalize_phone, today
from vet_common.api import actor_of
from vet_common.auth import CurrentPrincipal, Principal, require_roles

router = APIRouter(tags=["changes"], dependencies=[Depends(require_roles(*CAN_EDIT))])


class Change(BaseModel):
    correction_reason: Annotated[
        str | None,
        Field(
            default=None,
            max_length=500,
            description="Only for correcting a deceased person's record; officers only; say why",
        ),
    ] = None


class ProfileIn(Change):
    family_life: str | None = Field(default=None, max_length=2000, description="家庭生活")
    medical_security: str | None = Field(default=None, max_length=2000, description="医疗保障")
    housing: str | None = Field(default=None, max_length=2000, description="住房")
    children_education: str | None = Field(default=None, max_length=2000, description="子女教育")
    employment: str | None = Field(default=None, max_length=2000, description="就业创业")
    difficulties: str | None = Field(default=None, max_length=2000, description="困难诉求")

    @model_validator(mode="after")
    def _something(self) -> ProfileIn:
        if not self.changes():
            raise ValueError("请至少填写一项档案内容 (fill in at least one profile dimension)")
        return self

    def changes(self) -> dict[str, str]:
        return {k: v.strip() for k in PROFILE_DIMENSIONS if (v := getattr(self, k)) is not None}


class ContactIn(Change):
    phone: str | None = Field(default=None, description="Mobile 13812345678 or landline 0591-87654321")
    address: str | None = Field(default=None, max_length=200)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalize_phone(value) if value else None


class CategoriesIn(Change):
    categories: list[Category] = Field(min_length=1)


class ServiceRecordIn(Change, ServiceRecord):
    pass


class HonourIn(Change):
    title: str = Field(min_length=1, max_length=50, description="一等功, 二等功, 三等功, 模范, 最美退役军人 ...")
    awarded_on: date | None = None
    note: str = Field(default="", max_length=500)


class DisabilityIn(Change):
    level: int = Field(ge=1, le=10, description="伤残等级 1–10")
    cause: str = Field(min_length=1, max_length=50, description="致残原因, e.g. 因战, 因公, 因病")
    certificate_no: str = Field(min_length=1, max_length=50)


class KeyContactIn(BaseModel):
    action: Literal["designate", "remove"] = "designate"
    reason: KeyContactReason
    note: str = Field(default="", max_length=500)


class CertificateIn(BaseModel):
    action: Literal["apply_preferential_card", "issue_preferential_card", "replace_disability_certificate"]
    number: str | None = Field(default=None, max_length=50, description="Card or certificate number")
    issued_on: date | None = None

    @model_validator(mode="after")
    def _number(self) -> CertificateIn:
        if self.action != "apply_preferential_card" and not self.number:
            raise ValueError("请填写证件编号 (number is required)")
        return self


class ConfirmationIn(BaseModel):
    year: int = Field(ge=2000, le=2100)
    note: str = Field(default="", max_length=500)

    @field_validator("year")
    @classmethod
    def _not_future(cls, value: int) -> int:
        if value > today().year:
            raise ValueError("不能确认未来年度 (cannot confirm a future year)")
        return value


class SurvivorIn(BaseModel):
    veteran_id: UUID
    relation: Literal["parent", "spouse", "child", "sibling"]
    category: Literal["martyr_survivor", "duty_death_survivor", "illness_death_survivor"]


class DeathIn(BaseModel):
    date: dt.date | None = Field(description="Date of death; null with a correction_reason: recorded in error")
    correction_reason: str | None = Field(
        default=None, max_length=500, description="Officers only: correct the date, or revoke a death recorded in error"
    )

    @field_validator("date")
    @classmethod
    def _not_future(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value > today():
            raise ValueError("去世日期不能晚于今天 (date of death cannot be in the future)")
        return value


def correction_allowed(principal: Principal, change: Change) -> str | None:
    reason = (change.correction_reason or "").strip() or None
    if reason and not principal.has_role(*CAN_CORRECT):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "只有业务科室人员可以更正已故人员档案 (officers only)")
    return reason


async def apply(registry: Registry, person_id: UUID, principal: Principal, change: Any) -> PersonOut:
    await visible_person(registry, person_id, principal)
    with domain_errors():
        person = await run(registry.change_person, person_id, change)
    return person_view(person)


@router.post("/persons/{person_id}/profile", response_model=PersonOut)
async def update_profile(person_id: UUID, body: ProfileIn, principal: CurrentPrincipal, registry: Registry) -> Any:
    """Family life, medical security, housing, children's education, employment, difficulties."""
    reason, actor = correction_allowed(principal, body), actor_of(principal)
    return await apply(registry, person_id, principal, lambda p: p.update_profile(body.changes(), actor, reason))


@router.post("/persons/{person_id}/contact", response_model=PersonOut)
async def change_contact(person_id: UUID, body: ContactIn, principal: CurrentPrincipal, registry: Registry) -> Any:
    reason, actor = correction_allowed(principal, body), actor_of(principal)
    return await apply(
        registry, person_id, principal, lambda p: p.change_contact(body.phone, body.address, actor, reason)
    )


@router.post("/persons/{person_id}/categories", response_model=PersonOut)
async def change_categories(
    person_id: UUID, body: CategoriesIn, principal: CurrentPrincipal, registry: Registry
) -> Any:
    reason, actor = correction_allowed(principal, body), actor_of(principal)
    categories = list(dict.fromkeys(c.value for c in body.categories))
    return await apply(registry, person_id, principal, lambda p: p.change_categories(categories, actor, reason))


@router.post("/persons/{person_id}/service-record", response_model=PersonOut)
async def change_service_record(
    person_id: UUID, body: ServiceRecordIn, principal: CurrentPrincipal, registry: Registry
) -> Any:
    reason, actor = correction_allowed(principal, body), actor_of(principal)
    record = ServiceRecord.model_validate(body.model_dump(exclude={"correction_reason"})).model_dump(mode="json")
    return await apply(registry, person_id, principal, lambda p: p.change_service_record(record, actor, reason))


@router.post("/persons/{person_id}/honours", response_model=PersonOut)
async def add_honour(person_id: UUID, body: HonourIn, principal: CurrentPrincipal, registry: Registry) -> Any:
    reason, actor = correction_allowed(principal, body), actor_of(principal)
    honour = body.model_dump(mode="json", exclude={"correction_reason"})
    return await apply(registry, person_id, principal, lambda p: p.add_honour(honour, actor, reason))


@router.post("/persons/{person_id}/disability", response_model=PersonOut)
async def assess_disability(
    person_id: UUID, body: DisabilityIn, principal: CurrentPrincipal, registry: Registry
) -> Any:
    reason, actor = correction_allowed(principal, body), actor_of(principal)
    return await apply(
        registry,
        person_id,
        principal,
        lambda p: p.assess_disability(body.level, body.cause.strip(), body.certificate_no.strip(), actor, reason),
    )


@router.post("/persons/{person_id}/key-contacts", response_model=PersonOut)
async def key_contacts(person_id: UUID, body: KeyContactIn, principal: CurrentPrincipal, registry: Registry) -> Any:
    """Designate or remove a key-contact reason. Age 80+, disability 1–6, martyr's survivor and second-class
    merit or higher are derived from the record and need no designation."""
    actor = actor_of(principal)

    def change(person: Person) -> None:
        if body.action == "designate":
            person.designate_key_contact(body.reason.value, body.note, actor)
        else:
            person.remove_key_contact(body.reason.value, body.note, actor)

    return await apply(registry, person_id, principal, change)


@router.post("/persons/{person_id}/certificates", response_model=PersonOut)
async def certificates(person_id: UUID, body: CertificateIn, principal: CurrentPrincipal, registry: Registry) -> Any:
    """优待证: apply, then issue; disability certificate: replace with the new style."""
    actor = actor_of(principal)

    def change(person: Person) -> None:
        if body.action == "apply_preferential_card":
            person.apply_for_preferential_card(actor)
        elif body.action == "issue_preferential_card":
            person.issue_preferential_card(str(body.number), body.issued_on or today(), actor)
        else:
            person.replace_disability_certificate(str(body.number), actor)

    return await apply(registry, person_id, principal, change)


@router.post("/persons/{person_id}/annual-confirmations", response_model=PersonOut)
async def annual_confirmation(
    person_id: UUID, body: ConfirmationIn, principal: CurrentPrincipal, registry: Registry
) -> Any:
    actor = actor_of(principal)
    return await apply(
        registry, person_id, principal, lambda p: p.record_annual_confirmation(body.year, today(), body.note, actor)
    )


@router.post("/persons/{person_id}/survivors", response_model=PersonOut)
async def link_survivor(person_id: UUID, body: SurvivorIn, principal: CurrentPrincipal, registry: Registry) -> Any:
    """Record that this person is a survivor (遗属) of a veteran in the registry."""
    await visible_person(registry, body.veteran_id, principal)
    actor = actor_of(principal)
    return await apply(
        registry,
        person_id,
        principal,
        lambda p: p.link_survivor(str(body.veteran_id), body.relation, body.category, actor),
    )


@router.post("/persons/{person_id}/death", response_model=PersonOut)
async def record_death(person_id: UUID, body: DeathIn, principal: CurrentPrincipal, registry: Registry) -> Any:
    """Death stops payments and pairings (PersonDied tells the other services).

    An officer corrects a recorded death with a `correction_reason`: another date, or `"date": null` when the
    death was recorded in error."""
    actor = actor_of(principal)
    reason = (body.correction_reason or "").strip()
    if reason:
        if not principal.has_role(*CAN_CORRECT):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "只有业务科室人员可以更正死亡登记 (officers only)")
        return await apply(registry, person_id, principal, lambda p: p.correct_death(body.date, reason, actor))
    if body.date is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": "date", "message": "请填写去世日期 (date is required)"}]
        )
    died_on = body.date
    return await apply(registry, person_id, principal, lambda p: p.record_death(died_on, actor))
