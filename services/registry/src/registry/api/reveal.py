"""Personal data in clear for many people at once, for a stated purpose: what another service's export needs
(assistance's bank file needs each payee's name, ID number and payment account). Every person revealed is recorded
in the access log, as a single reveal is; nothing is kept by the caller but the file it writes."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, field_validator

from registry.api.deps import Registry, run
from registry.api.persons import CAN_REVEAL
from vet_common.api import actor_of
from vet_common.auth import CurrentPrincipal, require_roles
from vet_common.openapi import problems

router = APIRouter(tags=["persons"])
MAX_PEOPLE = 1000  # per request: a bank file of 100,000 asks a hundred times


class RevealIn(BaseModel):
    person_ids: list[UUID] = Field(min_length=1, max_length=MAX_PEOPLE)
    fields: list[Literal["id_number", "phone", "payment_account"]] = Field(min_length=1, description="Shown in clear")
    purpose: Annotated[str, Field(min_length=1, max_length=200, description="Why, as the access log records it")]

    @field_validator("purpose")
    @classmethod
    def _purpose(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("请说明查看用途 (state the purpose)")
        return value.strip()


class Revealed(BaseModel):
    id: UUID
    name: str
    region: str
    status: str
    id_number: str | None = None
    phone: str | None = None
    payment_account: dict[str, str] | None = Field(default=None, description="{bank, account_number}; null: none")


class RevealOut(BaseModel):
    persons: list[Revealed]
    missing: list[UUID] = Field(description="Unknown or outside your jurisdiction (the two look the same)")


@router.post(
    "/persons/reveal",
    response_model=RevealOut,
    responses=problems(403),
    dependencies=[Depends(require_roles(*CAN_REVEAL))],
)
async def reveal_persons(body: RevealIn, principal: CurrentPrincipal, registry: Registry) -> RevealOut:
    """Name and the asked fields in clear for each person of your jurisdiction among `person_ids`; each one is
    recorded in the access log with the purpose (one transaction for the request)."""
    fields = sorted(set(body.fields))
    people = await run(registry.reveal_many, body.person_ids, fields, body.purpose, actor_of(principal), principal)
    found = {person.id for person in people}
    return RevealOut(
        persons=[
            Revealed(
                id=person.id,
                name=person.name,
                region=person.region,
                status=person.status,
                **{field: getattr(person, field) for field in fields},
            )
            for person in people
        ],
        missing=[person_id for person_id in body.person_ids if person_id not in found],
    )
