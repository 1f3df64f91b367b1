"""How a person's record is shown: masked personal data unless revealed, Chinese names beside codes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from registry.domain import (
    CATEGORY_NAMES,
    Category,
    KeyContactReason,
    Person,
    age_on,
    born_on_or_before,
    mask_account_number,
)
from vet_common.idnumber import mask_id_number, mask_phone
from vet_common.regions import full_name

REVEALABLE = ("id_number", "phone", "payment_account")


class PersonOut(BaseModel):
    id: UUID
    name: str
    id_number: str = Field(description="Masked (350102********123X) unless revealed")
    sex: str
    birth_date: date
    age: int
    ethnicity: str | None
    phone: str | None = Field(description="Masked (138****5678) unless revealed")
    address: str | None
    region: str
    region_name: str | None
    household: str | None
    categories: list[str]
    category_names: list[str]
    survivor_of: list[dict[str, str]]
    service: dict[str, Any] | None
    honours: list[dict[str, Any]]
    disability: dict[str, Any] | None
    profile: dict[str, str]
    key_contact: bool
    key_contact_reasons: list[str]
    preferential_card: dict[str, Any]
    payment_account: dict[str, str] | None = Field(
        description="发放账户 {bank, account_number}: the number masked (**** **** 1234) unless revealed"
    )
    annual_confirmations: list[dict[str, Any]]
    status: str
    died_on: date | None
    merged_into: str | None
    pending_transfer: str | None
    version: int
    registered_at: datetime
    updated_at: datetime
    revealed: list[str] = Field(default_factory=list, description="Fields shown in clear for this request")


class PersonListItem(BaseModel):
    id: str
    name: str
    id_number: str
    sex: str
    birth_date: str
    region: str
    region_name: str | None
    categories: list[str]
    status: str
    disability_level: int | None
    key_contact_reasons: list[str]


class PersonPage(BaseModel):
    items: list[PersonListItem]
    total: int | None = Field(
        description="How many match, up to 1,000; null when more than a page match and counting them would be slow"
    )
    total_exact: bool = Field(description="false: at least `total` (or more than a page) match; narrow to count")
    page_size: int
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page")


def person_view(person: Person, today: date, reveal: frozenset[str] = frozenset()) -> PersonOut:
    reasons = person.key_contact_reasons(today)
    return PersonOut(
        id=person.id,
        name=person.name,
        id_number=person.id_number if "id_number" in reveal else mask_id_number(person.id_number),
        sex=person.sex,
        birth_date=person.birth_date,
        age=age_on(person.birth_date, today),
        ethnicity=person.ethnicity,
        phone=(person.phone if "phone" in reveal else mask_phone(person.phone)) if person.phone else None,
        address=person.address,
        region=person.region,
        region_name=full_name(person.region),
        household=person.household,
        categories=list(person.categories),
        category_names=[CATEGORY_NAMES[Category(c)] for c in person.categories],
        survivor_of=person.survivor_of,
        service=_jsonable(person.service),
        honours=[_jsonable(h) for h in person.honours],
        disability=person.disability,
        profile=person.profile,
        key_contact=bool(reasons),
        key_contact_reasons=reasons,
        preferential_card=person.preferential_card,
        payment_account=payment_account_view(person, "payment_account" in reveal),
        annual_confirmations=person.confirmations,
        status=str(person.status),
        died_on=person.died_on,
        merged_into=person.merged_into,
        pending_transfer=person.pending_transfer,
        version=person.version,
        registered_at=person.created_on,
        updated_at=person.modified_on,
        revealed=sorted(reveal),
    )


def payment_account_view(person: Person, in_clear: bool) -> dict[str, str] | None:
    account = person.payment_account
    if account is None or in_clear:
        return account
    return {**account, "account_number": mask_account_number(account["account_number"])}


def list_item(doc: dict[str, Any], today: date) -> PersonListItem:
    reasons = list(doc.get("key_contact_reasons", []))
    if doc["birth_date"] <= born_on_or_before(today).isoformat():
        reasons = sorted({*reasons, KeyContactReason.aged_80_or_over.value})
    return PersonListItem(
        id=doc["_id"],
        name=doc["name"],
        id_number=doc["id_number_masked"],
        sex=doc["sex"],
        birth_date=doc["birth_date"],
        region=doc["region"],
        region_name=full_name(doc["region"]),
        categories=doc["categories"],
        status=doc["status"],
        disability_level=doc.get("disability_level"),
        key_contact_reasons=reasons,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in value.items()}
    return value
