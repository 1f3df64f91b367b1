"""帮扶资金: the funds of my jurisdiction with budget, committed, paid and remaining; a fund's page with its
rules and applications; a new fund with its rules (officers)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.clients import ApiRefused
from console.pages.assistance.forms import api_errors, fen_fields
from console.pages.assistance.names import (
    AMOUNT_KINDS,
    FUND_KIND_NAMES,
    LEVEL_NAMES,
    MANAGING,
    STATUS_NAMES,
    waiting_text,
)
from console.pages.registry.forms import CATEGORY_CHOICES, Input, body_of, choices, values_of
from console.people import names_of
from console.web import CheckedForm, CurrentSession, Session, render
from vet_common.domain import CHINA

router = APIRouter()
PAGE_SIZE = 20
LEVEL_CHOICES = tuple((code, LEVEL_NAMES[code]) for code in ("township", "county", "city", "province"))

FUND = (
    Input("name", "资金名称", required=True, hint="如 2026年解三难资金"),
    Input("kind", "资金类别", "select", tuple(FUND_KIND_NAMES.items()), required=True),
    Input("region", "所属辖区代码", required=True, hint="本辖区或下级，如 350102（县区）"),
    Input("year", "资金年度", "number", required=True),
    Input("budget_fen", "预算（元）", required=True, hint="如 500000 或 500,000.00"),
    Input("rules.amount.kind", "金额规则", "select", tuple(AMOUNT_KINDS.items()), required=True),
    Input("rules.amount.amount_fen", "每次救助金额（元）", hint="固定金额时填写，如 1600"),
    Input("rules.amount.monthly_fen", "每月金额（元）", hint="按月发放（定期抚恤补助）时填写，如 200"),
    Input("rules.amount.yearly_fen", "每年金额（元）", hint="按年发放（如义务兵家庭优待金）时填写，如 2400"),
    Input("rules.amount.pay_month", "每年发放月份", "number", hint="按年发放时填写，1 至 12，如 3"),
    Input("rules.amount.threshold_fen", "起付线（元）", hint="按比例时填写：个人自付达到此数才救助，如 10000"),
    Input("rules.amount.share_percent", "救助比例（%）", "number", hint="按比例时填写，如 80"),
    Input("rules.amount.cap_fen", "单次封顶（元）", hint="按比例时填写，如 50000"),
    Input("rules.yearly_ceiling_fen", "每人每年上限（元）", hint="可不填"),
    Input("rules.eligibility.categories", "限定人员类别（不选则不限）", "checkboxes", CATEGORY_CHOICES),
    Input(
        "rules.eligibility.household",
        "限定户籍",
        "select",
        (("", "不限"), ("rural", "农村"), ("urban", "城镇")),
    ),
    Input("rules.approval.accept", "受理层级", "select", LEVEL_CHOICES),
    Input("rules.approval.levels.0.level", "第一级审批", "select", LEVEL_CHOICES, hint="适用于所有金额"),
    Input(
        "rules.approval.levels.1.level",
        "第二级审批（可不设）",
        "select",
        choices({code: name for code, name in LEVEL_CHOICES}, blank="不设"),
    ),
    Input("rules.approval.levels.1.from_fen", "金额达到多少需第二级审批（元）", hint="设第二级审批时填写，如 10000"),
)
MONEY = (
    "budget_fen",
    "rules.amount.amount_fen",
    "rules.amount.monthly_fen",
    "rules.amount.yearly_fen",
    "rules.amount.threshold_fen",
    "rules.amount.cap_fen",
    "rules.yearly_ceiling_fen",
    "rules.approval.levels.1.from_fen",
)
AMOUNT_FIELDS = {
    "fixed": ("amount_fen",),
    "monthly": ("monthly_fen",),
    "yearly": ("yearly_fen", "pay_month"),
    "share_of_remainder": ("threshold_fen", "share_percent", "cap_fen"),
}


def fund_body(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The API's FundIn from the form: yuan to fen, only the chosen amount rule's figures, the levels as a list."""
    amounts, errors = fen_fields(values, MONEY)
    filled = {**values, **{name: str(fen) for name, fen in amounts.items()}}
    kind = str(values.get("rules.amount.kind") or "fixed")
    amount: dict[str, Any] = {"kind": kind}
    for name in AMOUNT_FIELDS.get(kind, ()):
        value = filled.get(f"rules.amount.{name}")
        if value:
            amount[name] = int(value) if str(value).isdigit() else value
    levels: list[dict[str, Any]] = [{"level": values.get("rules.approval.levels.0.level") or "county"}]
    if values.get("rules.approval.levels.1.level"):
        second: dict[str, Any] = {"level": values["rules.approval.levels.1.level"]}
        if "rules.approval.levels.1.from_fen" in amounts:
            second["from_fen"] = amounts["rules.approval.levels.1.from_fen"]
        levels.append(second)
    eligibility: dict[str, Any] = {"categories": values.get("rules.eligibility.categories") or []}
    if values.get("rules.eligibility.household"):
        eligibility["household"] = values["rules.eligibility.household"]
    rules: dict[str, Any] = {
        "amount": amount,
        "eligibility": eligibility,
        "approval": {"accept": values.get("rules.approval.accept") or "township", "levels": levels},
    }
    if "rules.yearly_ceiling_fen" in amounts:
        rules["yearly_ceiling_fen"] = amounts["rules.yearly_ceiling_fen"]
    top = body_of({key: filled.get(key, "") for key in ("name", "kind", "region", "year", "budget_fen")})
    for key in ("year", "budget_fen"):
        if str(top.get(key, "")).isdigit():
            top[key] = int(top[key])
    return {**top, "rules": rules}, errors


@router.get("/funds")
async def funds(request: Request, session: CurrentSession, after: str = "") -> Response:
    params: dict[str, Any] = {"page_size": PAGE_SIZE, **({"after": after} if after else {})}
    page = await session.api("assistance").get_json("/funds", params=params)
    return render(
        request,
        "assistance/funds.html",
        page=page,
        kinds=FUND_KIND_NAMES,
        can_create=session.has_role(*MANAGING),
    )


@router.get("/funds/new")
async def new_fund(request: Request, session: CurrentSession) -> Response:
    session.require(*MANAGING)
    region = session.principal.region
    values = {
        "region": region if len(region) <= 6 else region[:6],
        "year": str(datetime.now(CHINA).year),
        "rules.amount.kind": "fixed",
        "rules.approval.accept": "township",
        "rules.approval.levels.0.level": "county",
    }
    return render(request, "assistance/fund_new.html", inputs=FUND, values=values, errors={})


@router.post("/funds/new")
async def create_fund(request: Request, session: CurrentSession, form: CheckedForm) -> Response:
    session.require(*MANAGING)
    values = values_of(form, FUND)
    body, errors = fund_body(values)
    if not errors:
        try:
            created = await session.api("assistance").post_json("/funds", body)
            return RedirectResponse(f"/funds/{created['id']}?created=1", status_code=303)
        except ApiRefused as refusal:
            if refusal.status not in (403, 409, 422):
                raise
            errors, status = api_errors(refusal, FUND), refusal.status
    else:
        status = 422
    return render(request, "assistance/fund_new.html", status, inputs=FUND, values=values, errors=errors)


async def fund_applications(session: Session, fund_id: UUID, after: str) -> dict[str, Any]:
    params: dict[str, Any] = {"fund_id": str(fund_id), "page_size": PAGE_SIZE, **({"after": after} if after else {})}
    page: dict[str, Any] = await session.api("assistance").get_json("/applications", params=params)
    return page


@router.get("/funds/{fund_id}")
async def fund(request: Request, session: CurrentSession, fund_id: UUID, after: str = "") -> Response:
    return await fund_page(request, session, fund_id, after)


async def fund_page(
    request: Request,
    session: Session,
    fund_id: UUID,
    after: str = "",
    status_code: int = 200,
    payroll_error: str = "",
    payroll_month: str = "",
) -> Response:
    found, applications = await asyncio.gather(
        session.api("assistance").get_json(f"/funds/{fund_id}"), fund_applications(session, fund_id, after)
    )
    names = await names_of(session, (row["person_id"] for row in applications["items"]))
    return render(
        request,
        "assistance/fund.html",
        status_code,
        fund=found,
        applications=applications,
        names=names,
        kinds=FUND_KIND_NAMES,
        levels=LEVEL_NAMES,
        amount_kinds=AMOUNT_KINDS,
        statuses=STATUS_NAMES,
        waiting_text=waiting_text,
        created=request.query_params.get("created") == "1",
        can_run_payroll=session.has_role(*MANAGING) and found["kind"] == "regular_entitlement",
        month=payroll_month or datetime.now(CHINA).strftime("%Y-%m"),
        payroll_error=payroll_error,
    )
