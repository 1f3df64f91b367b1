"""结对 (pairings): my caseload with when each person falls due; for officers, the jurisdiction's pairings to end
or reassign, and the key contacts without a pairing to pair with a staff member."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.clients import ApiRefused
from console.pages.outreach.common import OFFICERS, PAGE_SIZE, Listing, given, page_of
from console.pages.outreach.names import END_REASON_NAMES
from console.pages.registry.forms import CAN_EDIT, TOP
from console.people import names_of
from console.web import CheckedForm, CurrentSession, Session, render

router = APIRouter()
# An officer ends a pairing for one of these; "reassigned" is what reassigning records by itself.
END_REASONS = tuple((code, name) for code, name in END_REASON_NAMES.items() if code != "reassigned")
MANAGE, UNPAIRED = "outreach/pairings_manage.html", "outreach/unpaired.html"
DONE = {"paired": "已结对。", "ended": "已结束结对。", "reassigned": "已改派。"}


@router.get("/pairings")
async def my_pairings(request: Request, session: CurrentSession) -> Response:
    """我的结对: the signed-in person's open pairings, the most urgent first."""
    sub = quote(session.principal.sub, safe="")
    caseload = await session.api("outreach").get_json(f"/staff/{sub}/caseload")
    names = await names_of(session, (item["person_id"] for item in caseload["items"]))
    return render(
        request,
        "outreach/pairings.html",
        items=caseload["items"],
        names=names,
        can_record=session.has_role(*CAN_EDIT),
        can_manage=session.has_role(*OFFICERS),
    )


@router.get("/pairings/manage")
async def manage(
    request: Request, session: CurrentSession, region: str = "", staff: str = "", after: str = ""
) -> Response:
    session.require(*OFFICERS)
    params = given(region=region.strip(), staff=staff.strip(), after=after, limit=PAGE_SIZE)
    found = await page_of(session, "/pairings", params, filters=("region", "staff"))
    return await listing(request, session, MANAGE, found, {"region": region, "staff": staff})


async def listing(
    request: Request,
    session: Session,
    template: str,
    found: Listing,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int | None = None,
) -> Response:
    """A page of pairings or of people without one, each with the person's name."""
    names = await names_of(session, (item["person_id"] for item in found.items))
    return render(
        request,
        template,
        status_code or found.status,
        page=found.page,
        names=names,
        values=values,
        errors={**found.errors, **(errors or {})},
        reasons=END_REASONS,
        can_manage=True,
        done=DONE.get(request.query_params.get("done", "")),
    )


@router.post("/pairings/{pairing_id}/{action}")
async def change(
    request: Request, session: CurrentSession, pairing_id: UUID, action: str, form: CheckedForm
) -> Response:
    """End a pairing with a reason, or reassign the person to another staff member."""
    session.require(*OFFICERS)
    if action not in ("end", "reassign"):
        return RedirectResponse("/pairings/manage", status_code=303)
    body = (
        {"reason": str(form.get("reason") or "")}
        if action == "end"
        else {"staff": str(form.get("staff") or "").strip()}
    )
    try:
        await session.api("outreach").post_json(f"/pairings/{pairing_id}/{action}", body)
    except ApiRefused as refusal:
        if refusal.status not in (409, 412, 422):
            raise
        found = await page_of(session, "/pairings", given(limit=PAGE_SIZE))
        message = "；".join(refusal.field_errors().values()) or refusal.message()
        return await listing(request, session, MANAGE, found, {}, {TOP: message}, refusal.status)
    return RedirectResponse(f"/pairings/manage?done={'ended' if action == 'end' else 'reassigned'}", status_code=303)


@router.get("/pairings/unpaired")
async def unpaired(request: Request, session: CurrentSession, region: str = "", after: str = "") -> Response:
    session.require(*OFFICERS)
    found = await page_of(session, "/pairings/unpaired", given(region=region.strip(), after=after, limit=PAGE_SIZE))
    return await listing(request, session, UNPAIRED, found, {"region": region})


@router.post("/pairings/new")
async def pair(request: Request, session: CurrentSession, form: CheckedForm) -> Response:
    """Pair one staff member with the people ticked (一对一 or 一对多): all of them, or none and why."""
    session.require(*OFFICERS)
    staff = str(form.get("staff") or "").strip()
    chosen = [str(value) for value in form.getlist("person_ids")]
    values: dict[str, Any] = {"staff": staff, "person_ids": chosen, "region": str(form.get("region") or "")}
    errors: dict[str, str] = {}
    if not chosen:
        errors["person_ids"] = "请勾选要结对的人员"
    if not staff:
        errors["staff"] = "请填写结对工作人员的账号"
    if not errors:
        try:
            await session.api("outreach").post_json("/pairings", {"staff": staff, "person_ids": chosen})
        except ApiRefused as refusal:
            if refusal.status not in (409, 422):
                raise
            errors = refusal_beside(refusal, chosen)
        else:
            return RedirectResponse("/pairings/manage?done=paired", status_code=303)
    found = await page_of(session, "/pairings/unpaired", given(region=values["region"], limit=PAGE_SIZE))
    return await listing(request, session, UNPAIRED, found, values, errors, 422)


def refusal_beside(refusal: ApiRefused, chosen: list[str]) -> dict[str, str]:
    """`staff` beside the staff input; `person_ids.N` beside the N-th person ticked; anything else at the top."""
    errors: dict[str, str] = {}
    for name, message in refusal.field_errors().items():
        if name == "staff":
            errors["staff"] = message
        elif name.startswith("person_ids.") and name.split(".")[1].isdigit() and int(name.split(".")[1]) < len(chosen):
            errors[f"person-{chosen[int(name.split('.')[1])]}"] = message
        else:
            errors[TOP] = f"{errors[TOP]}；{message}" if TOP in errors else message
    return errors or {TOP: refusal.message()}
