"""月度发放表: run a regular-entitlement fund's payroll for a month (running it again opens the same one),
approve it (approvers), release it to the bank (officers), download the bank file as XLSX or CSV."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.clients import ApiRefused
from console.pages.assistance.funds import fund_page
from console.pages.assistance.names import APPROVING, MANAGING, PAYROLL_STATUS_NAMES
from console.web import CheckedForm, ConsoleRefused, CurrentSession, Session, render

router = APIRouter()
ACTIONS = {"approve": APPROVING, "release": MANAGING}


async def payroll_page(
    request: Request, session: Session, payroll_id: UUID, status_code: int = 200, error: str = ""
) -> Response:
    payroll = await session.api("assistance").get_json(f"/payrolls/{payroll_id}")
    fund = await session.api("assistance").get_json(f"/funds/{payroll['fund_id']}")
    return render(
        request,
        "assistance/payroll.html",
        status_code,
        payroll=payroll,
        fund=fund,
        statuses=PAYROLL_STATUS_NAMES,
        can_approve=payroll["status"] == "computed" and session.has_role(*APPROVING),
        can_release=payroll["status"] == "approved" and session.has_role(*MANAGING),
        error=error,
        done=request.query_params.get("done", ""),
    )


@router.post("/funds/{fund_id}/payrolls")
async def run_payroll(request: Request, session: CurrentSession, fund_id: UUID, form: CheckedForm) -> Response:
    session.require(*MANAGING)
    month = str(form.get("month") or "").strip()
    try:
        payroll = await session.api("assistance").post_json("/payrolls", {"fund_id": str(fund_id), "month": month})
    except ApiRefused as refusal:
        if refusal.status not in (403, 409, 422):
            raise
        errors = refusal.field_errors()
        message = errors.get("month") or errors.get("fund_id") or refusal.message()
        return await fund_page(
            request, session, fund_id, status_code=refusal.status, payroll_error=message, payroll_month=month
        )
    return RedirectResponse(f"/payrolls/{payroll['id']}", status_code=303)


@router.get("/payrolls/{payroll_id}")
async def payroll(request: Request, session: CurrentSession, payroll_id: UUID) -> Response:
    return await payroll_page(request, session, payroll_id)


@router.get("/payrolls/{payroll_id}/bank-file.{format_}")
async def bank_file(session: CurrentSession, payroll_id: UUID, format_: str) -> Response:
    if format_ not in ("xlsx", "csv"):
        raise ConsoleRefused(404, "银行发放文件只有 xlsx 和 csv 两种格式")
    answer = await session.api("assistance").request(
        "GET", f"/payrolls/{payroll_id}/bank-file", params={"format": format_}
    )
    headers = {"Content-Disposition": answer.headers.get("Content-Disposition", "attachment")}
    return Response(answer.content, media_type=answer.headers.get("Content-Type"), headers=headers)


@router.post("/payrolls/{payroll_id}/{action}")
async def act(request: Request, session: CurrentSession, payroll_id: UUID, action: str, form: CheckedForm) -> Response:
    roles = ACTIONS.get(action)
    if roles is None:
        raise ConsoleRefused(404, "没有这个操作")
    session.require(*roles)
    try:
        await session.api("assistance").post_json(f"/payrolls/{payroll_id}/{action}")
    except ApiRefused as refusal:
        if refusal.status not in (403, 409):
            raise
        return await payroll_page(request, session, payroll_id, refusal.status, refusal.message())
    return RedirectResponse(f"/payrolls/{payroll_id}?done={action}", status_code=303)
