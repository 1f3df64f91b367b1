"""Pairings (结对子): pair staff with key contacts, end or reassign a pairing, caseloads, who has no pairing."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field, model_validator

from outreach.api.schedule import OUTSIDE, After, DueOut, Limit, Region, due_out
from outreach.application import OutreachApplication
from outreach.application.pairings import NO_SUCH_PAIRING
from outreach.domain.pairings import EndReason, Pairing
from outreach.queries import pairings as queries
from outreach.queries import schedule as schedule_queries
from vet_common.api import AppClock, IfMatch, ReadModels, actor_of, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.domain import NotFound
from vet_common.openapi import problem

Outreach = Annotated[OutreachApplication, Depends(get_application)]
router = APIRouter(tags=["pairings"])
CAN_PAIR = Depends(require_roles(Role.station_staff, Role.officer, Role.admin))
PAIR_LIMIT = 500


class PairingIn(BaseModel):
    """One person (`person_id`, 一对一) or many (`person_ids`, 一对多) paired with one staff member."""

    staff: str = Field(min_length=1, max_length=100, description="The staff member's account (sub)")
    person_id: UUID | None = None
    person_ids: list[UUID] | None = Field(default=None, min_length=1, max_length=PAIR_LIMIT)

    @model_validator(mode="after")
    def _one_or_many(self) -> PairingIn:
        if (self.person_id is None) == (self.person_ids is None):
            raise ValueError(
                "请填写 person_id（一对一）或 person_ids（一对多）之一 (give person_id or person_ids, not both)"
            )
        return self

    @property
    def people(self) -> list[UUID]:
        return [self.person_id] if self.person_id else list(self.person_ids or [])


class PairingsCreated(BaseModel):
    ids: list[UUID] = Field(description="One pairing per person, in the order given")


class EndIn(BaseModel):
    reason: EndReason = Field(description="reassigned, transferred, deceased, staff_left, no_longer_key_contact, other")


class ReassignIn(BaseModel):
    staff: str = Field(min_length=1, max_length=100, description="The staff member who takes the person over")


class PairingOut(BaseModel):
    id: UUID
    person_id: UUID
    region: str
    staff: str
    status: str = Field(description="open or ended")
    started_on: dt.date
    ended_on: dt.date | None
    end_reason: str | None
    proposed_to: str | None = Field(description="For a transfer: the receiving county, asked to pair the person anew")


class PairingList(BaseModel):
    items: list[PairingOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


class CaseloadItem(PairingOut):
    schedule: DueOut | None = Field(description="When the person's next contact and home visit fall due")


class Caseload(BaseModel):
    staff: str
    items: list[CaseloadItem] = Field(description="The staff member's open pairings, the most urgent first")


class UnpairedList(BaseModel):
    items: list[DueOut]
    next: str | None


def pairing_out(doc: dict[str, Any]) -> PairingOut:
    return PairingOut.model_validate({**doc, "id": doc["_id"]})


def pairing_of(pairing: Pairing) -> PairingOut:
    return PairingOut(
        id=pairing.id,
        person_id=UUID(pairing.person_id),
        region=pairing.region,
        staff=pairing.staff,
        status="open" if pairing.open else "ended",
        started_on=pairing.started_on,
        ended_on=pairing.ended_on,
        end_reason=pairing.end_reason,
        proposed_to=None,
    )


@router.post(
    "/pairings",
    status_code=status.HTTP_201_CREATED,
    response_model=PairingsCreated,
    dependencies=[CAN_PAIR],
)
async def pair(body: PairingIn, principal: CurrentPrincipal, outreach: Outreach) -> PairingsCreated:
    """Pair the staff member with each person, all or none: each must be a living key contact in your
    jurisdiction without a pairing; 422 names the person (`person_ids.N`) who cannot be paired and why."""
    ids = await asyncio.to_thread(
        outreach.pair, staff=body.staff, person_ids=body.people, principal=principal, actor=actor_of(principal)
    )
    return PairingsCreated(ids=ids)


@router.get("/pairings", response_model=PairingList, responses=OUTSIDE)
async def list_pairings(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    staff: Annotated[str | None, Query(max_length=100, description="Only this staff member's")] = None,
    region: Region = None,
    after: After = None,
    limit: Limit = 50,
) -> PairingList:
    """Open pairings in your jurisdiction (or `region`), by the day they started; with `staff`, that staff
    member's open pairings (all on one page)."""
    if staff:
        docs = await queries.caseload(db, principal, staff, region)
        return PairingList(items=[pairing_out(doc) for doc in docs], next=None)
    page = await queries.open_pairings(db, principal, region, clock.today(), after, limit)
    return PairingList(items=[pairing_out(doc) for doc in page.docs], next=page.next)


@router.get("/pairings/proposals", response_model=PairingList, responses=OUTSIDE)
async def list_proposals(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    region: Region = None,
    after: After = None,
    limit: Limit = 50,
) -> PairingList:
    """People transferred into your jurisdiction whose pairing ended with the transfer: pair them anew."""
    page = await queries.proposals(db, principal, region, clock.today(), after, limit)
    return PairingList(items=[pairing_out(doc) for doc in page.docs], next=page.next)


@router.get("/pairings/unpaired", response_model=UnpairedList, responses=OUTSIDE)
async def list_unpaired(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    region: Region = None,
    after: After = None,
    limit: Limit = 50,
) -> UnpairedList:
    """Living key contacts in your jurisdiction without a pairing, in no particular order (by person id)."""
    today = clock.today()
    page = await schedule_queries.unpaired(db, principal, region, today, after, limit)
    return UnpairedList(items=[due_out(doc, today) for doc in page.docs], next=page.next)


@router.get("/staff/{staff}/caseload", response_model=Caseload, responses=OUTSIDE)
async def caseload(
    staff: str, principal: CurrentPrincipal, db: ReadModels, clock: AppClock, region: Region = None
) -> Caseload:
    """A staff member's caseload: their open pairings in your jurisdiction, the most urgent first."""
    today = clock.today()
    docs = await queries.caseload(db, principal, staff, region)
    items = [
        CaseloadItem(
            **pairing_out(doc).model_dump(),
            schedule=due_out(doc["schedule"], today) if doc["schedule"] and doc["schedule"].get("due_slot") else None,
        )
        for doc in docs
    ]
    return Caseload(staff=staff, items=items)


@router.get("/pairings/{pairing_id}", response_model=PairingOut)
async def get_pairing(
    pairing_id: UUID, principal: CurrentPrincipal, outreach: Outreach, response: Response
) -> PairingOut:
    pairing = await asyncio.to_thread(outreach.get_pairing, pairing_id)
    if pairing is None or not principal.can_see(pairing.region):
        raise NotFound(NO_SUCH_PAIRING)
    response.headers["ETag"] = f'"{pairing.version}"'
    return pairing_of(pairing)


@router.post(
    "/pairings/{pairing_id}/end",
    response_model=PairingOut,
    responses=problem(409, "The pairing has already ended"),
    dependencies=[CAN_PAIR],
)
async def end_pairing(
    pairing_id: UUID, body: EndIn, principal: CurrentPrincipal, outreach: Outreach, if_match: IfMatch
) -> PairingOut:
    pairing = await asyncio.to_thread(
        outreach.end_pairing,
        pairing_id,
        reason=body.reason,
        principal=principal,
        actor=actor_of(principal),
        expected_version=if_match,
    )
    return pairing_of(pairing)


@router.post(
    "/pairings/{pairing_id}/reassign",
    status_code=status.HTTP_201_CREATED,
    response_model=PairingsCreated,
    responses=problem(409, "The pairing has already ended"),
    dependencies=[CAN_PAIR],
)
async def reassign(
    pairing_id: UUID, body: ReassignIn, principal: CurrentPrincipal, outreach: Outreach, if_match: IfMatch
) -> PairingsCreated:
    """End the pairing (reason "reassigned") and pair the person with another staff member, in one step."""
    new_id = await asyncio.to_thread(
        outreach.reassign_pairing,
        pairing_id,
        staff=body.staff,
        principal=principal,
        actor=actor_of(principal),
        expected_version=if_match,
    )
    return PairingsCreated(ids=[new_id])
