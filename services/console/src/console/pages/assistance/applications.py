"""帮扶申请: file on a person's behalf (代办), the lists of what waits for each step, an application's page with
its decision snapshot, every step so far, and the form of the step it waits for when this user may take it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.clients import ApiRefused, ServiceUnavailable
from console.pages.assistance.forms import api_errors, fen_fields, lines
from console.pages.assistance.names import (
    APPROVING,
    FILING,
    FUND_KIND_NAMES,
    LEVEL_NAMES,
    MANAGING,
    NOTIFY_METHODS,
    STATUS_NAMES,
    STEP_NAMES,
    acting_level,
    waiting_text,
)
from console.pages.registry.forms import TOP, Input, values_of
from console.people import names_of
from console.web import (
    CheckedForm,
    CurrentSession,
    Session,
    allowed_step,
    render,
    shown_version,
    submitted,
)
from vet_common.auth import Role
from vet_common.domain import CHINA

router = APIRouter()
PAGE_SIZE = 20

FACTS = ("facts.medical_cost_fen", "facts.insurance_paid_fen", "facts.other_aid_fen")
FILE = (
    Input("fund_id", "申请的资金", "select", required=True),
    Input("on_behalf_of", "申请方式", "select", (("true", "服务站代办"), ("false", "本人申请"))),
    Input("documents", "已收材料", "textarea", hint="每行一项，如 申请表、困难情况说明"),
    Input("facts.medical_cost_fen", "医疗总费用（元）", hint="仅应急救助（按自付余额计算）需要填写"),
    Input("facts.insurance_paid_fen", "医保已报销（元）", hint="仅应急救助需要"),
    Input("facts.other_aid_fen", "其他救助已得（元）", hint="仅应急救助需要"),
)


@dataclass(frozen=True)
class Step:
    """One step of the loop as a form: the route it posts to, who may take it, its inputs and button."""

    name: str
    title: str
    button: str
    roles: tuple[Role, ...]
    inputs: tuple[Input, ...] = ()
    secondary: bool = False


STEPS = {
    "accept": Step("accept", "受理", "受理", FILING),
    "return": Step(
        "return",
        "退回补充材料",
        "退回",
        FILING,
        (
            Input("missing", "缺少的材料", "textarea", required=True, hint="每行一项"),
            Input("reason", "退回原因", required=True),
        ),
        secondary=True,
    ),
    "resubmit": Step(
        "resubmit",
        "补齐材料后重新提交",
        "重新提交",
        FILING,
        (Input("documents", "已收材料", "textarea", hint="每行一项"),),
    ),
    "approve": Step("approve", "审批", "同意", APPROVING, (Input("reason", "审批意见", required=True),)),
    "deny": Step("deny", "不予批准", "不予批准", APPROVING, (Input("reason", "不予批准的理由", required=True),), True),
    "notify": Step(
        "notify",
        "告知本人",
        "已告知",
        FILING,
        (
            Input("method", "告知方式", "select", tuple(NOTIFY_METHODS.items()), required=True),
            Input("notified_on", "告知日期", "date", required=True),
        ),
    ),
    "disburse": Step(
        "disburse",
        "拨付",
        "确认拨付",
        MANAGING,
        (
            Input("payment_reference", "支付凭证号", required=True, hint="银行或国库的凭证号"),
            Input("paid_on", "拨付日期", "date", required=True),
        ),
    ),
    "evaluate": Step(
        "evaluate", "跟踪回访", "保存回访", FILING, (Input("finding", "回访情况", "textarea", required=True),)
    ),
    # After a transfer to where no fund of the kind was found: the receiving side picks one (choices: the page's).
    "assign": Step(
        "assign",
        "指定迁入地资金",
        "指定资金",
        MANAGING,
        (Input("fund_id", "迁入地的资金", "select", required=True, hint="同类、覆盖其现居地的资金；指定后重新受理"),),
    ),
}
# The forms offered for what an application waits for.
OFFERED = {
    "accept": ("accept", "return"),
    "resubmit": ("resubmit",),
    "approve": ("approve", "deny"),
    "notify": ("notify",),
    "disburse": ("disburse",),
    "evaluate": ("evaluate",),
    "transfer": ("assign",),
}


def offered_steps(session: Session, application: dict[str, Any], fund: dict[str, Any] | None) -> list[Step]:
    """The steps this user may take now: by role, and by level where the fund's rules say which level acts."""
    waiting = application.get("waiting_for") or ""
    step, _, level = waiting.partition(":")
    mine = acting_level(session.principal.region)
    if step == "approve" and level != mine:
        return []
    if step == "accept" and fund is not None and fund["rules"]["approval"]["accept"] != mine:
        return []
    return [STEPS[name] for name in OFFERED.get(step, ()) if session.has_role(*STEPS[name].roles)]


async def with_choices(session: Session, application: dict[str, Any], steps: list[Step]) -> list[Step]:
    """The fund assignment's choices: this side's funds of the application's kind that cover where the person
    lives now (assistance refuses any other)."""
    if not any(step.name == "assign" for step in steps):
        return steps
    page = await session.api("assistance").get_json("/funds", params={"page_size": 100})
    funds = tuple(
        (fund["id"], f"{fund['name']}（{fund['year']}年，{fund['region']}）")
        for fund in page["items"]
        if fund["kind"] == application["fund_kind"] and str(application["region"]).startswith(fund["region"])
    )
    choices = (("", "请选择资金" if funds else "本辖区没有同类资金，请先设立"), *funds)
    assign = replace(STEPS["assign"], inputs=(replace(STEPS["assign"].inputs[0], choices=choices),))
    return [assign if step.name == "assign" else step for step in steps]


def step_body(step: Step, values: dict[str, Any]) -> dict[str, Any]:
    if step.name == "return":
        return {"missing": lines(values.get("missing")), "reason": values.get("reason", "")}
    if step.name == "resubmit":
        return {"documents": lines(values.get("documents"))}
    return {item.name: values.get(item.name, "") for item in step.inputs}


def today() -> str:
    return datetime.now(CHINA).date().isoformat()


async def person_or_none(session: Session, person_id: str) -> dict[str, Any] | None:
    """The registry's record, for the name; None when it is not in this user's view (moved away) or down."""
    try:
        found: dict[str, Any] = await session.api("registry").get_json(f"/persons/{person_id}")
    except (ApiRefused, ServiceUnavailable):
        return None
    return found


async def fund_or_none(session: Session, fund_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = await session.api("assistance").get_json(f"/funds/{fund_id}")
    except ApiRefused:
        return None
    return found


async def application_page(
    request: Request,
    session: Session,
    application_id: UUID,
    status_code: int = 200,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
) -> Response:
    application = await session.api("assistance").get_json(f"/applications/{application_id}")
    fund, person = await asyncio.gather(
        fund_or_none(session, application["fund_id"]), person_or_none(session, application["person_id"])
    )
    steps = await with_choices(session, application, offered_steps(session, application, fund))
    # A refused step whose form this page no longer offers (taken meanwhile, not this level): say so at the top.
    offered = {step.name for step in steps}
    elsewhere = "；".join(
        message for name, found in (errors or {}).items() if name not in offered for message in found.values()
    )
    defaults = {"notify": {"notified_on": today()}, "disburse": {"paid_on": today()}}
    return render(
        request,
        "assistance/application.html",
        status_code,
        application=application,
        fund=fund,
        person=person,
        steps=steps,
        errors=errors or {},
        refused=elsewhere,
        values={**defaults, **(values or {})},
        waiting=waiting_text(application.get("waiting_for")),
        statuses=STATUS_NAMES,
        step_names=STEP_NAMES,
        levels=LEVEL_NAMES,
        methods=NOTIFY_METHODS,
        kinds=FUND_KIND_NAMES,
        done=done_text(request.query_params.get("done", "")),
    )


def done_text(done: str) -> str:
    """What the notice after a step says was done."""
    if done == "submitted":
        return "申请已提交，等待受理"
    return f"已办理：{STEPS[done].title}" if done in STEPS else ""


@router.get("/applications/{application_id}")
async def application(request: Request, session: CurrentSession, application_id: UUID) -> Response:
    return await application_page(request, session, application_id)


@router.post("/applications/{application_id}/{step_name}")
async def take_step(
    request: Request, session: CurrentSession, application_id: UUID, step_name: str, form: CheckedForm
) -> Response:
    step = allowed_step(STEPS, step_name, session)
    values = values_of(form, step.inputs)

    async def again(errors: dict[str, str], status: int) -> Response:
        return await application_page(
            request, session, application_id, status, {step.name: errors}, {step.name: values}
        )

    # A payment is sent once (its Idempotency-Key), whatever the version shown.
    paying = step.name == "disburse"
    send = partial(
        session.api("assistance").post_json,
        f"/applications/{application_id}/{step.name}",
        step_body(step, values),
        if_match=None if paying else shown_version(form),
        headers={"Idempotency-Key": f"console-pay-{application_id}"} if paying else None,
    )
    return await submitted(
        send,
        lambda _: f"/applications/{application_id}?done={step.name}",
        again,
        (403, 409, 412, 422),
        partial(api_errors, inputs=step.inputs),
        stale="该申请刚被他人办理，下面是最新情况，请核对后再办理",
    )


FILTERS = {
    "mine": "待我办理",
    "accept": "待受理",
    "approve": "待审批",
    "notify": "待告知",
    "disburse": "待拨付",
    "evaluate": "待回访",
    "transfer": "迁入待指定资金",
    "all": "全部",
}


def my_steps(session: Session) -> list[str]:
    """The waiting_for values whose step this user takes (approval only at their own level)."""
    level = acting_level(session.principal.region)
    steps: list[str] = []
    if session.has_role(*FILING):
        steps += ["accept", "notify", "evaluate"]
    if session.has_role(*APPROVING):
        steps.append(f"approve:{level}")
    if session.has_role(*MANAGING):
        steps += ["disburse", "transfer"]
    return steps


async def waiting_lists(session: Session, steps: list[str], page_size: int) -> list[dict[str, Any]]:
    """Each step's first page, side by side (assistance lists by one step at a time)."""
    api = session.api("assistance")
    pages = await asyncio.gather(
        *(api.get_json("/applications", params={"waiting_for": step, "page_size": page_size}) for step in steps)
    )
    return [row for page in pages for row in page["items"]]


@router.get("/applications")
async def applications(
    request: Request, session: CurrentSession, show: str = "mine", after: str = "", fund_id: str = ""
) -> Response:
    show = show if show in FILTERS else "mine"
    page: dict[str, Any] = {"items": [], "next": None}
    if show == "mine":
        page["items"] = await waiting_lists(session, my_steps(session), PAGE_SIZE)
    else:
        params: dict[str, Any] = {"page_size": PAGE_SIZE, **({"after": after} if after else {})}
        if show == "approve":
            params["waiting_for"] = f"approve:{acting_level(session.principal.region)}"
        elif show != "all":
            params["waiting_for"] = show
        page = await session.api("assistance").get_json("/applications", params=params)
    names = await names_of(session, (row["person_id"] for row in page["items"]))
    return render(
        request,
        "assistance/applications.html",
        page=page,
        names=names,
        show=show,
        filters=FILTERS,
        statuses=STATUS_NAMES,
        kinds=FUND_KIND_NAMES,
        waiting_text=waiting_text,
    )


@router.get("/persons/{person_id}/assistance")
async def person_assistance(request: Request, session: CurrentSession, person_id: UUID) -> Response:
    """A person's assistance (帮扶记录): their applications and what was approved and paid, by fund and year."""
    person, found = await asyncio.gather(
        session.api("registry").get_json(f"/persons/{person_id}"), assistance_of(session, str(person_id))
    )
    return render(request, "assistance/person.html", person=person, can_file=session.has_role(*FILING), **found)


async def assistance_of(session: Session, person_id: str) -> dict[str, Any]:
    """What a person's 帮扶 tab and their 帮扶记录 page show."""
    api = session.api("assistance")
    ledger, page = await asyncio.gather(
        api.get_json(f"/persons/{person_id}/ledger"),
        api.get_json("/applications", params={"person_id": person_id, "page_size": PAGE_SIZE}),
    )
    return {"ledger": ledger, "applications": page, "statuses": STATUS_NAMES, "waiting_text": waiting_text}


async def fund_choices(session: Session) -> tuple[tuple[str, str], ...]:
    """The funds this user may file to (their own and those above that cover them), but not monthly ones."""
    page = await session.api("assistance").get_json("/funds", params={"page_size": 100})
    return tuple(
        (fund["id"], f"{fund['name']}（{FUND_KIND_NAMES.get(fund['kind'], fund['kind'])}，{fund['region']}）")
        for fund in page["items"]
        if fund["kind"] != "regular_entitlement"
    )


def file_inputs(funds: tuple[tuple[str, str], ...]) -> tuple[Input, ...]:
    return (Input("fund_id", "申请的资金", "select", funds, required=True), *FILE[1:])


@router.get("/persons/{person_id}/applications/new")
async def new_application(request: Request, session: CurrentSession, person_id: UUID) -> Response:
    session.require(*FILING)
    person, funds = await asyncio.gather(
        session.api("registry").get_json(f"/persons/{person_id}"), fund_choices(session)
    )
    return render(
        request,
        "assistance/application_new.html",
        person=person,
        inputs=file_inputs(funds),
        values={"on_behalf_of": "true"},
        errors={},
    )


@router.post("/persons/{person_id}/applications/new")
async def file_application(request: Request, session: CurrentSession, person_id: UUID, form: CheckedForm) -> Response:
    session.require(*FILING)
    values = values_of(form, FILE)
    amounts, errors = fen_fields(values, FACTS)
    status = 422
    if not errors:
        body = {
            "fund_id": values["fund_id"],
            "person_id": str(person_id),
            "on_behalf_of": values["on_behalf_of"] != "false",
            "documents": lines(values["documents"]),
            "facts": {name.removeprefix("facts."): fen for name, fen in amounts.items()},
        }
        try:
            created = await session.api("assistance").post_json("/applications", body)
            return RedirectResponse(f"/applications/{created['id']}?done=submitted", status_code=303)
        except ApiRefused as refusal:
            if refusal.status not in (403, 404, 409, 422):
                raise
            errors, status = api_errors(refusal, FILE), refusal.status
            if refusal.status == 404:
                errors = {TOP: f"{refusal.message()}。如刚登记或刚迁入，请稍后再试"}
    person, funds = await asyncio.gather(
        session.api("registry").get_json(f"/persons/{person_id}"), fund_choices(session)
    )
    return render(
        request,
        "assistance/application_new.html",
        status,
        person=person,
        inputs=file_inputs(funds),
        values=values,
        errors=errors,
    )
