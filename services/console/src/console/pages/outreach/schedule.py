"""应联系 (due) and 逾期 (overdue): the key contacts whose contact or home visit falls due, with a link to record it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.pages.outreach.common import PAGE_SIZE, Listing, given, page_of
from console.pages.registry.forms import CAN_EDIT
from console.people import names_of
from console.web import CurrentSession, render

router = APIRouter()
WITHIN = (("7", "7天内"), ("30", "30天内"), ("90", "90天内"))


@router.get("/visits/overdue")
async def overdue(request: Request, session: CurrentSession, region: str = "", after: str = "") -> Response:
    params = given(region=region.strip(), after=after, limit=PAGE_SIZE)
    found = await page_of(session, "/contacts/overdue", params)
    return await listing(request, session, "overdue", found, {"region": region})


@router.get("/visits/due")
async def due(
    request: Request, session: CurrentSession, region: str = "", within_days: str = "30", after: str = ""
) -> Response:
    within_days = within_days if within_days in dict(WITHIN) else "30"
    params = given(region=region.strip(), within_days=within_days, after=after, limit=PAGE_SIZE)
    found = await page_of(session, "/contacts/due", params)
    return await listing(request, session, "due", found, {"region": region, "within_days": within_days})


async def listing(
    request: Request, session: CurrentSession, kind: str, found: Listing, values: dict[str, str]
) -> Response:
    names = await names_of(session, (row["person_id"] for row in found.items))
    return render(
        request,
        "outreach/due.html",
        found.status,
        kind=kind,
        title="逾期未联系的重点对象" if kind == "overdue" else "近期应联系的重点对象",
        page=found.page,
        names=names,
        values=values,
        errors=found.errors,
        within=WITHIN,
        can_record=session.has_role(*CAN_EDIT),
    )
