"""Who is due and overdue for contact under the contact rules, one person's schedule, and the rules."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from outreach.application import OutreachApplication
from outreach.domain.rules import Interval, RuleEntry, RuleTable
from outreach.queries import schedule as queries
from vet_common.api import AppClock, IfMatch, ReadModels, actor_of, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.domain import Invalid, NotFound
from vet_common.openapi import problem
from vet_common.regions import InvalidRegion, validate_jurisdiction

Outreach = Annotated[OutreachApplication, Depends(get_application)]
router = APIRouter(tags=["contact rules"])
Region = Annotated[str | None, Query(description="Region prefix within your jurisdiction (yours by default)")]
After = Annotated[str | None, Query(description="`next` of the page before")]
Limit = Annotated[int, Query(ge=1, le=200)]
OUTSIDE = problem(403, "A region outside your jurisdiction was asked for")


class RuleOut(BaseModel):
    version: int = Field(description="The version of the contact rules the dates were computed with")
    contact_days: int
    home_visit_days: int


class DueOut(BaseModel):
    person_id: UUID
    region: str
    key_contact_reasons: list[str]
    disability_level: int | None
    rule: RuleOut
    last_contact: dt.date | None
    last_home_visit: dt.date | None
    contact_due: dt.date
    home_visit_due: dt.date
    days_overdue: int = Field(description="Days since the earlier of the two fell due; 0 if not yet")
    staff: str | None = Field(description="The staff member paired with the person, if any")


class DueList(BaseModel):
    items: list[DueOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


def due_out(doc: dict[str, Any], today: dt.date) -> DueOut:
    next_due = min(dt.date.fromisoformat(doc["contact_due"]), dt.date.fromisoformat(doc["home_visit_due"]))
    return DueOut(
        person_id=doc["person_id"],
        region=doc["region"],
        key_contact_reasons=doc["key_contact_reasons"],
        disability_level=doc["disability_level"],
        rule=RuleOut(**doc["rule"]),
        last_contact=doc["last_contact"],
        last_home_visit=doc["last_home_visit"],
        contact_due=doc["contact_due"],
        home_visit_due=doc["home_visit_due"],
        days_overdue=max(0, (today - next_due).days),
        staff=doc.get("staff"),
    )


@router.get("/contacts/overdue", response_model=DueList, responses=OUTSIDE)
async def list_overdue(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    region: Region = None,
    after: After = None,
    limit: Limit = 50,
) -> DueList:
    """Key contacts whose contact or home visit is overdue, the longest overdue first. A page may come back
    short with a `next` cursor when it is spread thin: follow `next` until it is null."""
    today = clock.today()
    page = await queries.overdue(db, principal, region, today, after, limit)
    return DueList(items=[due_out(doc, today) for doc in page.docs], next=page.next)


@router.get("/contacts/due", response_model=DueList, responses=OUTSIDE)
async def list_due(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    region: Region = None,
    within_days: Annotated[int, Query(ge=0, le=366)] = 30,
    after: After = None,
    limit: Limit = 50,
) -> DueList:
    """Key contacts falling due from today to `within_days` ahead, soonest first (overdue ones: /contacts/overdue)."""
    today = clock.today()
    page = await queries.due(db, principal, region, today, within_days, after, limit)
    return DueList(items=[due_out(doc, today) for doc in page.docs], next=page.next)


@router.get("/persons/{person_id}/schedule", response_model=DueOut)
async def person_schedule(person_id: UUID, principal: CurrentPrincipal, db: ReadModels, clock: AppClock) -> DueOut:
    """When the person's next contact and home visit fall due; 404 unless they are a key contact in your
    jurisdiction (a person transferred away is the receiving side's)."""
    doc = await queries.person_schedule(db, str(person_id))
    if doc is None or not doc.get("due_slot") or not principal.can_see(doc["region"]):
        raise NotFound("查无此重点联系对象或不在本辖区 (no such key contact in your jurisdiction)")
    return due_out(doc, clock.today())


# The rules ---------------------------------------------------------------------------------------------------


class IntervalIn(BaseModel):
    contact_days: int = Field(ge=1, le=366, description="At most this many days between two contacts")
    home_visit_days: int = Field(ge=1, le=1100, description="At most this many days between two home visits")


class RuleEntryIn(IntervalIn):
    region: str = Field(default="", description="Region prefix the line is for; empty for everywhere")
    reason: str | None = Field(default=None, max_length=50, description="Key-contact reason; null for any")


class RulesIn(BaseModel):
    entries: list[RuleEntryIn] = Field(min_length=1, max_length=500)
    severe_disability: IntervalIn | None = Field(
        description="Tighter intervals for disability levels 1-6; null for none"
    )
    reason: str = Field(min_length=2, max_length=500, description="Why the rules change (the notice, the meeting)")


class RulesOut(BaseModel):
    version: int = Field(description="0 for the defaults no officer has changed yet")
    entries: list[RuleEntryIn]
    severe_disability: IntervalIn | None


def rules_out(table: RuleTable) -> RulesOut:
    severe = table.severe_disability
    return RulesOut(
        version=table.version,
        entries=[RuleEntryIn(**entry.to_dict()) for entry in table.entries],
        severe_disability=IntervalIn(contact_days=severe.contact_days, home_visit_days=severe.home_visit_days)
        if severe
        else None,
    )


@router.get("/contact-rules", response_model=RulesOut)
async def get_rules(outreach: Outreach, principal: CurrentPrincipal, response: Response) -> RulesOut:
    """The contact rules in force: for a person, each reason's most specific line, the tightest of those."""
    table = await asyncio.to_thread(outreach.contact_rules)
    response.headers["ETag"] = f'"{table.version}"'
    return rules_out(table)


@router.put(
    "/contact-rules",
    response_model=RulesOut,
    responses=problem(403, "A line outside your jurisdiction changed"),
    dependencies=[Depends(require_roles(Role.officer, Role.admin))],
)
async def change_rules(
    body: RulesIn, outreach: Outreach, principal: CurrentPrincipal, if_match: IfMatch, response: Response
) -> RulesOut:
    """Replace the contact rules (a new version; the old ones stay in the history). Every key contact's due
    dates are recomputed with them. Lines outside your jurisdiction must come back as they are (403 else); the
    lines for everywhere and the setting for disability levels 1-6 are the province's."""
    entries = []
    for index, line in enumerate(body.entries):
        region = validate_region(line.region, f"entries.{index}.region")
        entries.append(RuleEntry(region, line.reason, Interval(line.contact_days, line.home_visit_days)))
    severe = body.severe_disability
    table = await asyncio.to_thread(
        outreach.change_contact_rules,
        entries=entries,
        severe_disability=Interval(severe.contact_days, severe.home_visit_days) if severe else None,
        reason=body.reason.strip(),
        principal=principal,
        actor=actor_of(principal),
        expected_version=if_match,
    )
    response.headers["ETag"] = f'"{table.version}"'
    return rules_out(table)


def validate_region(region: str, field: str) -> str:
    if not region:
        return ""
    try:
        return validate_jurisdiction(region)
    except InvalidRegion as error:
        raise Invalid(field, str(error)) from None
