"""联系走访 (outreach): record a visit or a call from the person's page, on a phone in under a minute; the
requests (诉求) past their deadline or escalated to this level on the to-do page.

Waiting for outreach's APIs: my pairings, due and overdue lists, campaigns; the request ledger's own pages
(each a route and a TodoProvider here).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.clients import ApiRefused, ServiceUnavailable
from console.pages import NavItem, PageModule, TodoSection
from console.pages.registry import unavailable_text
from console.pages.registry.forms import CAN_EDIT, TOP, Input, body_of, place_errors, values_of
from console.web import CheckedForm, CurrentSession, Session, render
from vet_common.domain import CHINA

router = APIRouter()

METHOD_NAMES = {
    "home_visit": "上门走访",
    "phone": "电话",
    "video": "视频",
    "wechat": "微信",
    "sms": "短信",
    "meeting": "座谈会",
    "group_activity": "集中活动",
    "medical_round": "医疗巡诊",
}
CONTACT = (
    Input("method", "联系方式", "select", tuple(METHOD_NAMES.items()), required=True),
    Input("date", "联系日期", "date", required=True),
    Input("findings", "走访情况", "textarea", hint="身体、生活、诉求等；不要填写身份证号码"),
    Input("occasion", "事由", hint="如 春节、八一、生病（可不填）"),
    Input("needs_follow_up", "需要跟进", "select", (("", "不需要"), ("true", "需要"))),
)


@router.get("/persons/{person_id}/contacts/new")
async def new_contact(request: Request, session: CurrentSession, person_id: UUID) -> Response:
    session.require(*CAN_EDIT)
    person = await session.api("registry").get_json(f"/persons/{person_id}")
    today = datetime.now(CHINA).date().isoformat()
    return render(
        request, "outreach/contact_new.html", person=person, inputs=CONTACT, values={"date": today}, errors={}
    )


@router.post("/persons/{person_id}/contacts/new")
async def record_contact(request: Request, session: CurrentSession, person_id: UUID, form: CheckedForm) -> Response:
    session.require(*CAN_EDIT)
    values = values_of(form, CONTACT)
    body = {"person_id": str(person_id), **body_of(values)}
    body["needs_follow_up"] = values["needs_follow_up"] == "true"
    try:
        created = await session.api("outreach").post_json("/contacts", body)
    except ApiRefused as refusal:
        if refusal.status not in (404, 409, 422):
            raise
        person = await session.api("registry").get_json(f"/persons/{person_id}")
        errors = place_errors(refusal.field_errors(), CONTACT) or {TOP: refusal.message()}
        return render(
            request,
            "outreach/contact_new.html",
            refusal.status,
            person=person,
            inputs=CONTACT,
            values=values,
            errors=errors,
        )
    return RedirectResponse(f"/contacts/{created['id']}?recorded=1", status_code=303)


@router.get("/contacts/{contact_id}")
async def contact(request: Request, session: CurrentSession, contact_id: UUID) -> Response:
    found = await session.api("outreach").get_json(f"/contacts/{contact_id}")
    return render(
        request,
        "outreach/contact.html",
        contact=found,
        method=METHOD_NAMES.get(found["method"], found["method"]),
        recorded=request.query_params.get("recorded") == "1",
    )


REQUEST_CATEGORY_NAMES = {
    "medical": "医疗",
    "housing": "住房",
    "employment": "就业",
    "education": "子女教育",
    "living_difficulty": "生活困难",
    "policy_question": "政策咨询",
    "petition": "信访",
    "other": "其他",
}


async def requests_section(session: Session, title: str, params: dict[str, str], empty: str) -> TodoSection:
    section = TodoSection(title, [], empty=empty)
    try:
        page = await session.api("outreach").get_json("/requests", params={**params, "page_size": "20"})
    except (ServiceUnavailable, ApiRefused) as error:
        section.unavailable = unavailable_text(error)
        return section
    for row in page["items"]:
        category = REQUEST_CATEGORY_NAMES.get(row["category"], row["category"])
        text = f"{row['deadline']} 到期 · {category} · {row.get('department') or ''}"
        section.rows.append((text.rstrip(" ·"), f"/persons/{row['person_id']}"))
    return section


async def overdue_requests(session: Session) -> TodoSection:
    """诉求逾期: open requests past their deadline in my jurisdiction."""
    return await requests_section(session, "逾期未办结的诉求", {"overdue": "true"}, "没有逾期的诉求")


async def escalated_requests(session: Session) -> TodoSection:
    """督办: requests escalated to my level."""
    return await requests_section(session, "上级督办的诉求", {"escalated": "true"}, "没有督办中的诉求")


module = PageModule(
    name="outreach",
    router=router,
    todo=[overdue_requests, escalated_requests],
    person_actions=[NavItem("记录走访或电话", "/persons/{person_id}/contacts/new", CAN_EDIT)],
)
