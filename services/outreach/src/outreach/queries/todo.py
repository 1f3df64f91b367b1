"""The station's to-do list: open items by due date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.queries.windows import Page, walk
from vet_common.auth import Principal
from vet_common.jurisdiction import within


async def open_items(
    db: AsyncDatabase[Any],
    principal: Principal,
    region: str | None,
    today: date,
    within_days: int,
    after: str | None,
    size: int,
) -> Page:
    """Open items due by `within_days` from today, overdue ones first (a year back at most)."""
    start = today - timedelta(days=366)
    end = today + timedelta(days=within_days + 1)
    return await walk(db.todo, "open_slot", within(principal, region), start, end, after, size)
