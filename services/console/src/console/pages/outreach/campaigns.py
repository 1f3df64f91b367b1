"""走访慰问活动 (campaigns): the campaigns one takes part in, a campaign's progress by region (click a region to
go down a level), who is not reached yet in a township, and the county summary table (情况汇总表): a county
fills it in and submits it, the level above approves it or returns it with what to correct."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.clients import ApiRefused
from console.formatting import KEY_CONTACT_REASON_NAMES
from console.pages.outreach.common import OFFICERS, given
from console.pages.outreach.names import CAMPAIGN_STATUS_NAMES, REACH_NAMES, SUMMARY_STATUS_NAMES
from console.pages.registry.forms import CAN_EDIT, TOP
from console.people import names_of
from console.web import CheckedForm, ConsoleRefused, CurrentSession, Session, render
from vet_common.regions import parent_of

router = APIRouter()
COUNTY, TOWNSHIP = 6, 9  # lengths of the region codes
FIGURES = (
    ("money", "慰问金（元）"),
    ("goods", "慰问品折合（元）"),
    ("problems_found", "发现问题（个）"),
    ("problems_solved", "解决问题（个）"),
)
GROUP_NAMES = {"aged_80_plus": "80岁以上", **KEY_CONTACT_REASON_NAMES}


@router.get("/campaigns")
async def campaigns(request: Request, session: CurrentSession, after: str = "") -> Response:
    page = await session.api("outreach").get_json("/campaigns", params=given(after=after, limit=20))
    return render(request, "outreach/campaigns.html", page=page, values={}, statuses=CAMPAIGN_STATUS_NAMES)


def groups_of(campaign: dict[str, Any]) -> list[tuple[str, str]]:
    codes = [group["code"] for group in campaign.get("targets", {}).get("groups", [])]
    return [(code, GROUP_NAMES.get(code, code)) for code in codes]


async def campaign_page(
    request: Request,
    session: Session,
    campaign_id: UUID,
    region: str = "",
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    api = session.api("outreach")
    campaign = await api.get_json(f"/campaigns/{campaign_id}")
    try:
        progress = await api.get_json(f"/campaigns/{campaign_id}/progress", params=given(region=region))
    except ApiRefused as refusal:
        if refusal.status not in (403, 422):
            raise
        raise ConsoleRefused(refusal.status, refusal.message()) from None
    view = progress["region"]
    summaries = None
    if len(view) <= COUNTY:
        summaries = await api.get_json(f"/campaigns/{campaign_id}/summaries", params={"region": view})
    targets: dict[str, Any] = {"targets": [], "next": None}
    if len(view) >= TOWNSHIP:
        targets = await api.get_json(
            f"/campaigns/{campaign_id}/targets", params={"region": view, "reach": "not_reached", "limit": 50}
        )
    names = await names_of(session, (row["person_id"] for row in targets["targets"]))
    mine = session.principal.region
    own_table = next((row for row in (summaries or {}).get("counties", []) if row["county"] == mine), None)
    return render(
        request,
        "outreach/campaign.html",
        status_code,
        campaign=campaign,
        progress=progress,
        up=parent_of(view) if len(view) > len(max(campaign["region"], mine, key=len)) else None,
        summaries=summaries,
        targets=targets["targets"],
        names=names,
        groups=groups_of(campaign),
        figures=FIGURES,
        statuses=CAMPAIGN_STATUS_NAMES,
        summary_statuses=SUMMARY_STATUS_NAMES,
        reach_names=REACH_NAMES,
        can_record=session.has_role(*CAN_EDIT),
        # A county's officers fill in its table (again, once returned); the levels above review them.
        can_submit=session.has_role(*OFFICERS)
        and len(mine) == COUNTY
        and (own_table is None or own_table["status"] in ("missing", "returned")),
        own_table=own_table,
        can_review=session.has_role(*OFFICERS) and len(mine) < COUNTY,
        values=values or {},
        errors=errors or {},
        done={
            "submitted": "已上报汇总表。",
            "approved": "已审核通过。",
            "returned": "已退回，请县级修改后重新上报。",
        }.get(request.query_params.get("done", "")),
    )


@router.get("/campaigns/{campaign_id}")
async def campaign(request: Request, session: CurrentSession, campaign_id: UUID, region: str = "") -> Response:
    return await campaign_page(request, session, campaign_id, region.strip())


def fen_of(text: str) -> int | None:
    """Yuan as typed (1200 or 1,200.50) in fen; None if it is not an amount."""
    try:
        amount = Decimal(text.replace(",", "").replace("，", "").strip() or "0")
    except InvalidOperation:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return int(amount * 100)


@router.post("/campaigns/{campaign_id}/summary")
async def submit_summary(request: Request, session: CurrentSession, campaign_id: UUID, form: CheckedForm) -> Response:
    """The county's summary table (情况汇总表), in yuan as a county writes it, sent in fen."""
    session.require(*OFFICERS)
    campaign_doc = await session.api("outreach").get_json(f"/campaigns/{campaign_id}")
    values = {name: str(form.get(name) or "").strip() for name, _ in FIGURES}
    visited = {code: str(form.get(f"visited.{code}") or "").strip() for code, _ in groups_of(campaign_doc)}
    values |= {f"visited.{code}": count for code, count in visited.items()}
    errors: dict[str, str] = {}
    body: dict[str, Any] = {"county": session.principal.region, "visited_by_group": {}}
    for code, count in visited.items():
        if not count.isdigit():
            errors["visited_by_group"] = "请为每个对象组填写走访人数（0 或正整数）"
        else:
            body["visited_by_group"][code] = int(count)
    for name in ("money", "goods"):
        fen = fen_of(values[name])
        if fen is None:
            errors[name] = "请填写金额（元），如 1200 或 1200.50"
        body[f"{name}_fen"] = fen
    for name in ("problems_found", "problems_solved"):
        if not values[name].isdigit():
            errors[name] = "请填写 0 或正整数"
        else:
            body[name] = int(values[name])
    if not errors:
        try:
            await session.api("outreach").post_json(f"/campaigns/{campaign_id}/summaries", body)
        except ApiRefused as refusal:
            if refusal.status not in (403, 409, 422):
                raise
            errors = summary_errors(refusal)
        else:
            return RedirectResponse(f"/campaigns/{campaign_id}?done=submitted", status_code=303)
    return await campaign_page(request, session, campaign_id, status_code=422, values=values, errors=errors)


def summary_errors(refusal: ApiRefused) -> dict[str, str]:
    """The API's fields (money_fen, visited_by_group.x ...) as the form's inputs."""
    errors: dict[str, str] = {}
    for name, message in refusal.field_errors().items():
        key = name.split(".")[0].removesuffix("_fen")
        key = key if key in {"visited_by_group", *(figure for figure, _ in FIGURES)} else TOP
        errors[key] = f"{errors[key]}；{message}" if key in errors else message
    return errors or {TOP: refusal.message()}


@router.post("/campaigns/{campaign_id}/summaries/{county}/{decision}")
async def review(
    request: Request, session: CurrentSession, campaign_id: UUID, county: str, decision: str, form: CheckedForm
) -> Response:
    """The level above approves a county's table, or returns it saying what to correct."""
    session.require(*OFFICERS)
    if decision not in ("approve", "return") or not county.isdigit():
        raise ConsoleRefused(404, "没有这个操作")
    reason = str(form.get("reason") or "").strip()
    if decision == "return" and not reason:
        return await campaign_page(
            request,
            session,
            campaign_id,
            status_code=422,
            errors={f"return-{county}": "请填写退回原因（需要县级修改什么）"},
        )
    body = {"reason": reason} if decision == "return" else {}
    try:
        await session.api("outreach").post_json(f"/campaigns/{campaign_id}/summaries/{county}/{decision}", body)
    except ApiRefused as refusal:
        if refusal.status not in (403, 409, 422):
            raise
        return await campaign_page(
            request, session, campaign_id, status_code=refusal.status, errors={TOP: refusal.message()}
        )
    done = "approved" if decision == "approve" else "returned"
    return RedirectResponse(f"/campaigns/{campaign_id}?done={done}", status_code=303)
