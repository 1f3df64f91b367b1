"""Who is due for contact, who is overdue, which key contacts have no pairing: index ranges, read in windows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.schedule import ContactFile
from outreach.projections.schedule import COUNTED_UP_TO, DAY_COUNTS
from outreach.queries.windows import COUNTS_REMEMBERED, UNDATED, DayCounts, Page, walk
from vet_common.auth import Principal
from vet_common.jurisdiction import JURISDICTIONS, within

# How far back the overdue list looks: due dates are counted from a designation or a contact, so none is
# older than the platform; ten years covers it with room (empty windows cost next to nothing).
OVERDUE_SINCE_DAYS = 3660


async def overdue(
    db: AsyncDatabase[Any], principal: Principal, region: str | None, today: date, after: str | None, size: int
) -> Page:
    """Living key contacts whose next contact or home visit fell due before today, the longest overdue first."""
    start = today - timedelta(days=OVERDUE_SINCE_DAYS)
    match = within(principal, region)
    return await walk(db.schedules, "due_slot", match, start, today, after, size, counts(db, "due", match))


async def due(
    db: AsyncDatabase[Any],
    principal: Principal,
    region: str | None,
    today: date,
    within_days: int,
    after: str | None,
    size: int,
) -> Page:
    """Living key contacts falling due from today to `within_days` ahead, soonest first."""
    end = today + timedelta(days=within_days + 1)
    match = within(principal, region)
    return await walk(db.schedules, "due_slot", match, today, end, after, size, counts(db, "due", match))


async def unpaired(
    db: AsyncDatabase[Any], principal: Principal, region: str | None, today: date, after: str | None, size: int
) -> Page:
    """Living key contacts without a pairing, by person id (random: any order serves, and it spreads evenly)."""
    match = within(principal, region)
    return await walk(db.schedules, "unpaired_slot", match, UNDATED, UNDATED + timedelta(days=1), after, size)


def counts(db: AsyncDatabase[Any], name: str, match: dict[str, Any]) -> DayCounts | None:
    scope = match[JURISDICTIONS]
    return DayCounts(db[DAY_COUNTS], f"{name}|{scope}", COUNTS_REMEMBERED) if len(scope) <= COUNTED_UP_TO else None


async def person_schedule(db: AsyncDatabase[Any], person_id: str) -> dict[str, Any] | None:
    return await db.schedules.find_one({"_id": schedule_id(person_id)})


def schedule_id(person_id: str) -> str:
    """A schedule's document is the person's contact file's: its id derives from the person's."""
    return str(ContactFile.create_id(person_id))
