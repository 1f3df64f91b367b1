"""Keeping a record up to date: each change is its own command with its own event.

A deceased person's record takes no further changes (409) except an officer's correction with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, field_validator, model_validator

from registry.api.deps import CAN_EDIT, Registry, correction_by, run, visible_person
from registry.api.views import PersonOut, person_view
from registry.application import RegistryApplication
from registry.domain import PROFILE_DIMENSIONS, Category, KeyContactReason, Person
from registry.validation import ServiceRecord, normalize_address, normalize_phone
from vet_common.api import AppClock, IfMatch, actor_of
from vet_common.auth import CurrentPrincipal, Principal, require_roles
from vet_common.domain import Actor, Clock, Invalid

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

    @field_validator("address", mode="before")
    @classmethod
    def _address(cls, value: object) -> str | None:
        return normalize_address(value)


class CategoriesIn(Change):
    categories: list[Category] = Field(min_length=1)


class ServiceRecordIn(Change, ServiceRecord):
    def record(self) -> dict[str, object]:
        return ServiceRecord.model_validate(self.model_dump(exclude={"correction_reason"})).model_dump(mode="json")


class HonourIn(Change):
    title: str = Field(min_length=1, max_length=50, description="一等功, 二等功, 三等功, 模范, 最美退役军人 ...")
    awarded_on: date | None = None
    note: str = Field(default="", max_length=500)


class DisabilityIn(Change):
    level: int = Field(ge=1, le=10, description="伤残等级 1–10")
    cause: str = Field(min_length=1, max_length=50, description="致残原因, e.g. 因战, 因公, 因病")
    certificate_no: str = Field(min_length=1, max_length=50)


class PaymentAccountIn(BaseModel):
    """Checked by the domain (registry.domain.PaymentAccount), whose refusals name the field in Chinese and English."""

    bank: str = Field(max_length=200, description="开户银行, 2–50 characters, e.g. 中国农业银行福州鼓楼支行")
    account_number: str = Field(max_length=100, description="账号, 12–30 digits (spaces and hyphens are dropped)")
    reason: str = Field(max_length=500, description="Why it is recorded or changed, e.g. 本人提供银行卡")


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


class SurvivorIn(BaseModel):
    veteran_id: UUID
    relation: Literal["parent", "spouse", "child", "sibling"]
    category: Literal["martyr_survivor", "duty_death_survivor", "illness_death_survivor"]


class DeathIn(BaseModel):
    date: dt.date | None = Field(description="Date of death; null with a correction_reason: recorded in error")
    correction_reason: str | None = Field(
        default=None, max_length=500, description="Officers only: correct the date, or revoke a death recorded in error"
    )


@dataclass(frozen=True)
class RecordChange:
    """What every change route needs: who asks, the application, today, and the version the caller saw."""

    principal: Principal
    registry: RegistryApplication
    clock: Clock
    version: int | None

    @property
    def actor(self) -> Actor:
        return actor_of(self.principal)

    def correction(self, body: Change | DeathIn) -> str | None:
        return correction_by(self.principal, body.correction_reason)

    async def apply(self, person_id: UUID, command: Callable[..., Person], *args: Any) -> PersonOut:
        """One named command on a visible record (404 otherwise), answered with the record as it is now."""
        await visible_person(self.registry, person_id, self.principal)
        person = await run(command, person_id, *args, expected_version=self.version)
        return person_view(person, self.clock.today())


async def record_change(
    principal: CurrentPrincipal, registry: Registry, clock: AppClock, version: IfMatch
) -> RecordChange:
    return RecordChange(principal, registry, clock, version)


Changing = Annotated[RecordChange, Depends(record_change)]


@router.post("/persons/{person_id}/profile", response_model=PersonOut)
async def update_profile(person_id: UUID, body: ProfileIn, change: Changing) -> PersonOut:
    """Family life, medical security, housing, children's education, employment, difficulties."""
    return await change.apply(
        person_id, change.registry.update_profile, body.changes(), change.actor, change.correction(body)
    )


@router.post("/persons/{person_id}/contact", response_model=PersonOut)
async def change_contact(person_id: UUID, body: ContactIn, change: Changing) -> PersonOut:
    return await change.apply(
        person_id, change.registry.change_contact, body.phone, body.address, change.actor, change.correction(body)
    )


@router.post("/persons/{person_id}/categories", response_model=PersonOut)
async def change_categories(person_id: UUID, body: CategoriesIn, change: Changing) -> PersonOut:
    categories = [category.value for category in body.categories]
    return await change.apply(
        person_id, change.registry.change_categories, categories, change.actor, change.correction(body)
    )


@router.post("/persons/{person_id}/service-record", response_model=PersonOut)
async def change_service_record(person_id: UUID, body: ServiceRecordIn, change: Changing) -> PersonOut:
    return await change.apply(
        person_id, change.registry.change_service_record, body.record(), change.actor, change.correction(body)
    )


@router.post("/persons/{person_id}/honours", response_model=PersonOut)
async def add_honour(person_id: UUID, body: HonourIn, change: Changing) -> PersonOut:
    honour = body.model_dump(mode="json", exclude={"correction_reason"})
    return await change.apply(person_id, change.registry.add_honour, honour, change.actor, change.correction(body))


@router.post("/persons/{person_id}/disability", response_model=PersonOut)
async def assess_disability(person_id: UUID, body: DisabilityIn, change: Changing) -> PersonOut:
    return await change.apply(
        person_id,
        change.registry.assess_disability,
        body.level,
        body.cause,
        body.certificate_no,
        change.actor,
        change.correction(body),
    )


@router.post("/persons/{person_id}/payment-account", response_model=PersonOut)
async def record_payment_account(person_id: UUID, body: PaymentAccountIn, change: Changing) -> PersonOut:
    """发放账户: where payments go (the bank file). Recorded again when it changes; the earlier account stays in the
    history. Answered masked; assistance's bank file reads it in clear through POST /persons/reveal."""
    return await change.apply(
        person_id, change.registry.record_payment_account, body.bank, body.account_number, body.reason, change.actor
    )


@router.post("/persons/{person_id}/key-contacts", response_model=PersonOut)
async def key_contacts(person_id: UUID, body: KeyContactIn, change: Changing) -> PersonOut:
    """Designate or remove a key-contact reason. Age 80+, disability 1–6, martyr's survivor and second-class
    merit or higher are derived from the record and need no designation."""
    registry = change.registry
    command = registry.designate_key_contact if body.action == "designate" else registry.remove_key_contact
    return await change.apply(person_id, command, body.reason.value, body.note, change.actor)


@router.post("/persons/{person_id}/certificates", response_model=PersonOut)
async def certificates(person_id: UUID, body: CertificateIn, change: Changing) -> PersonOut:
    """优待证: apply, then issue; disability certificate: replace with the new style."""
    registry = change.registry
    if body.action == "apply_preferential_card":
        return await change.apply(person_id, registry.apply_for_preferential_card, change.actor)
    if body.action == "issue_preferential_card":
        return await change.apply(
            person_id, registry.issue_preferential_card, str(body.number), body.issued_on, change.actor
        )
    return await change.apply(person_id, registry.replace_disability_certificate, str(body.number), change.actor)


@router.post("/persons/{person_id}/annual-confirmations", response_model=PersonOut)
async def annual_confirmation(person_id: UUID, body: ConfirmationIn, change: Changing) -> PersonOut:
    return await change.apply(person_id, change.registry.record_annual_confirmation, body.year, body.note, change.actor)


@router.post("/persons/{person_id}/survivors", response_model=PersonOut)
async def link_survivor(person_id: UUID, body: SurvivorIn, change: Changing) -> PersonOut:
    """Record that this person is a survivor (遗属) of a veteran in the registry."""
    await visible_person(change.registry, body.veteran_id, change.principal)
    return await change.apply(
        person_id, change.registry.link_survivor, body.veteran_id, body.relation, body.category, change.actor
    )


@router.post("/persons/{person_id}/death", response_model=PersonOut)
async def record_death(person_id: UUID, body: DeathIn, change: Changing) -> PersonOut:
    """Death stops payments and pairings (PersonDied tells the other services).

    An officer corrects a recorded death with a `correction_reason`: another date, or `"date": null` when the
    death was recorded in error."""
    correction = change.correction(body)
    if correction:
        return await change.apply(person_id, change.registry.correct_death, body.date, correction, change.actor)
    if body.date is None:
        raise Invalid("date", "请填写去世日期 (date is required)")
    return await change.apply(person_id, change.registry.record_death, body.date, change.actor)
