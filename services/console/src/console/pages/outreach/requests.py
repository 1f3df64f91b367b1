"""诉求台账 (the request ledger): the list with filters, a request's page with its history and the forms of the
steps the user's role may take next, and registering a request for a person."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.pages.outreach.common import OFFICERS, PAGE_SIZE, given, page_of, person_form
from console.pages.outreach.names import (
    GRADE_NAMES,
    REQUEST_CATEGORY_NAMES,
    REQUEST_STATUS_NAMES,
    SATISFACTION_NAMES,
    STEP_NAMES,
)
from console.pages.registry.forms import CAN_EDIT, Input, body_of, refused_fields, values_of
from console.people import names_of
from console.web import CheckedForm, CurrentSession, Session, allowed_step, render, shown_version, submitted
from vet_common.auth import Role

router = APIRouter()
FORM = "outreach/request_new.html"

OPEN = ("registered", "accepted", "in_progress")
NOTE = Input("note", "说明", "textarea")
REGISTRATION = (
    Input("category", "诉求类别", "select", tuple(REQUEST_CATEGORY_NAMES.items()), required=True),
    Input("grade", "紧急程度", "select", tuple(GRADE_NAMES.items()), required=True, hint="与类别一起决定办理时限"),
    Input("summary", "诉求内容", "textarea", required=True, hint="当事人需要什么；不要填写身份证号码"),
    Input("department", "责任单位", hint="不填则为您所在单位"),
    Input("assignee", "责任人账号", hint="不填则为您本人"),
)


@dataclass(frozen=True)
class Step:
    """One step of the closed loop: the statuses it follows, who may take it, what it asks."""

    title: str
    statuses: tuple[str, ...]
    inputs: tuple[Input, ...]
    roles: tuple[Role, ...] = CAN_EDIT
    deceased_only: bool = False


STEPS: dict[str, Step] = {
    "accept": Step(
        "受理",
        ("registered",),
        (Input("department", "责任单位", hint="不填则不变"), Input("assignee", "责任人账号", hint="不填则不变"), NOTE),
    ),
    "start": Step("开始办理", ("accepted",), (NOTE,)),
    "progress": Step(
        "记录办理进展", ("accepted", "in_progress"), (Input("note", "办理进展", "textarea", required=True),)
    ),
    "resolve": Step("标记为已化解", ("in_progress",), (Input("what_was_done", "化解情况", "textarea", required=True),)),
    "follow-up": Step(
        "回访",
        ("resolved",),
        (Input("satisfaction", "当事人满意度", "select", tuple(SATISFACTION_NAMES.items()), required=True), NOTE),
    ),
    "assign": Step(
        "指定责任人", OPEN, (Input("assignee", "责任人账号", required=True), Input("department", "责任单位"), NOTE)
    ),
    "escalate": Step("提请上级督办", OPEN, (Input("reason", "督办事由", "textarea", required=True),), OFFICERS),
    "close": Step(
        "办结（当事人已去世）",
        (*OPEN, "resolved"),
        (Input("reason", "办结原因", "textarea", required=True),),
        deceased_only=True,
    ),
}


@dataclass(frozen=True)
class StepInput(Input):
    """An input of one step's form: several forms share a page, so its element id names the step too."""

    step: str = ""

    @property
    def dom_id(self) -> str:
        return f"s-{self.step}-{self.name}"


STEPS = {
    name: replace(step, inputs=tuple(StepInput(**asdict(item), step=name) for item in step.inputs))
    for name, step in STEPS.items()
}
FILTERS = ("region", "status", "overdue", "category", "mine", "escalated")


def steps_for(found: dict[str, Any], session: Session) -> list[tuple[str, Step]]:
    """The steps the request's status admits and the user's role allows, the usual next one first."""
    return [
        (name, step)
        for name, step in STEPS.items()
        if found["status"] in step.statuses
        and session.has_role(*step.roles)
        and (found.get("person_deceased") or not step.deceased_only)
    ]


@router.get("/requests")
async def ledger(request: Request, session: CurrentSession) -> Response:
    values = {key: request.query_params.get(key, "").strip() for key in FILTERS}
    params = given(
        region=values["region"],
        status=values["status"] or "open",
        overdue=values["overdue"] if values["overdue"] in ("true", "false") else "",
        category=values["category"] if values["category"] in REQUEST_CATEGORY_NAMES else "",
        assignee=session.principal.sub if values["mine"] == "true" else "",
        escalated="true" if values["escalated"] == "true" else "",
        after=request.query_params.get("after", ""),
        page_size=PAGE_SIZE,
    )
    found = await page_of(session, "/requests", params, filters=("region", "status", "category"))
    names = await names_of(session, (row["person_id"] for row in found.items))
    return render(
        request,
        "outreach/requests.html",
        found.status,
        page=found.page,
        names=names,
        values=values,
        errors=found.errors,
        categories=REQUEST_CATEGORY_NAMES,
        statuses=REQUEST_STATUS_NAMES,
        grades=GRADE_NAMES,
    )


@router.get("/requests/new")
async def new_request(request: Request, session: CurrentSession, person_id: UUID, found_in: str = "") -> Response:
    session.require(*CAN_EDIT)
    values = {"grade": "ordinary", "found_in": found_in}
    return await person_form(request, session, FORM, person_id, REGISTRATION, values)


@router.post("/requests/new")
async def register(request: Request, session: CurrentSession, form: CheckedForm) -> Response:
    session.require(*CAN_EDIT)
    person_id = str(form.get("person_id") or "")
    values = values_of(form, REGISTRATION)
    found_in = str(form.get("found_in") or "").strip()
    body = {"person_id": person_id, **body_of(values), **({"found_in": found_in} if found_in else {})}

    async def again(errors: dict[str, str], status: int) -> Response:
        shown = {**values, "found_in": found_in}
        return await person_form(request, session, FORM, UUID(person_id), REGISTRATION, shown, errors, status)

    return await submitted(
        partial(session.api("outreach").post_json, "/requests", body),
        lambda created: f"/requests/{created['id']}?done=registered",
        again,
        (404, 409, 422),
        partial(refused_fields, inputs=REGISTRATION),
    )


async def request_page(
    request: Request,
    session: Session,
    request_id: UUID,
    *,
    status_code: int = 200,
    failed: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    found = await session.api("outreach").get_json(f"/requests/{request_id}")
    names = await names_of(session, [found["person_id"]])
    offered = steps_for(found, session)
    # A step the request is no longer at (someone took it meanwhile): its refusal goes at the top of the page.
    page_errors = errors if failed and failed not in dict(offered) else {}
    return render(
        request,
        "outreach/request.html",
        status_code,
        found=found,
        person_name=names.get(str(found["person_id"]), {}).get("name"),
        steps=offered,
        errors=page_errors,
        failed=failed,
        step_values=values or {},
        step_errors=errors or {},
        step_names=STEP_NAMES,
        categories=REQUEST_CATEGORY_NAMES,
        statuses=REQUEST_STATUS_NAMES,
        grades=GRADE_NAMES,
        satisfactions=SATISFACTION_NAMES,
        done=STEP_DONE.get(request.query_params.get("done", "")),
    )


STEP_DONE = {
    "registered": "已登记诉求，办理时限已按类别和紧急程度计算。",
    **{name: f"已{s.title}。" for name, s in STEPS.items()},
}


@router.get("/requests/{request_id}")
async def show(request: Request, session: CurrentSession, request_id: UUID) -> Response:
    return await request_page(request, session, request_id)


@router.post("/requests/{request_id}/{step_name}")
async def take_step(
    request: Request, session: CurrentSession, request_id: UUID, step_name: str, form: CheckedForm
) -> Response:
    step = allowed_step(STEPS, step_name, session)
    values = values_of(form, step.inputs)

    async def again(errors: dict[str, str], status: int) -> Response:
        return await request_page(
            request, session, request_id, status_code=status, failed=step_name, values=values, errors=errors
        )

    path = f"/requests/{request_id}/{step_name}"
    return await submitted(
        partial(session.api("outreach").post_json, path, body_of(values), if_match=shown_version(form)),
        lambda _: f"/requests/{request_id}?done={step_name}",
        again,
        (409, 412, 422),
        partial(refused_fields, inputs=step.inputs),
        stale="该诉求刚被他人办理，下面是最新情况，请核对后重新提交",
    )
