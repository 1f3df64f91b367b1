"""Pairings: a staff member's caseload, the open pairings of a jurisdiction, the proposals left by transfers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.projections.pairings import PROPOSALS
from outreach.queries.schedule import schedule_id
from outreach.queries.windows import Page, walk
from vet_common.auth import Principal
from vet_common.jurisdiction import within

Document = dict[str, Any]
CASELOAD_LIMIT = 2000  # one staff member's open pairings: a few dozen, never thousands
SINCE_DAYS = 36600


async def caseload(db: AsyncDatabase[Any], principal: Principal, staff: str, region: str | None) -> list[Document]:
    """The open pairings of `staff` within the caller's jurisdiction, each with the person's due dates."""
    pairings = await db.pairings.find(
        {"staff": staff, "status": "open", **within(principal, region)}, limit=CASELOAD_LIMIT
    ).to_list()
    ids = [schedule_id(p["person_id"]) for p in pairings]
    schedules = await db.schedules.find({"_id": {"$in": ids}}, limit=CASELOAD_LIMIT).to_list()
    by_person = {doc["person_id"]: doc for doc in schedules}
    for pairing in pairings:
        pairing["schedule"] = by_person.get(pairing["person_id"])
    return sorted(pairings, key=lambda p: ((p["schedule"] or {}).get("due_slot") or "~", p["person_id"]))


async def open_pairings(
    db: AsyncDatabase[Any], principal: Principal, region: str | None, today: date, after: str | None, size: int
) -> Page:
    start = today - timedelta(days=SINCE_DAYS)
    return await walk(
        db.pairings, "open_slot", within(principal, region), start, today + timedelta(days=1), after, size
    )


async def proposals(
    db: AsyncDatabase[Any], principal: Principal, region: str | None, today: date, after: str | None, size: int
) -> Page:
    """People transferred into the caller's jurisdiction whose pairing ended there: to be paired anew."""
    start = today - timedelta(days=SINCE_DAYS)
    match = within(principal, region, key=PROPOSALS)
    return await walk(db.pairings, "proposal_slot", match, start, today + timedelta(days=1), after, size)
