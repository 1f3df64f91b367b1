"""Record a visit or a call (记录走访) from the person's page, on a phone in under a minute; read it back."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.pages.outreach.common import person_form
from console.pages.outreach.names import METHOD_NAMES
from console.pages.registry.forms import CAN_EDIT, Input, body_of, refused_fields, values_of
from console.web import CheckedForm, CurrentSession, render, submitted
from vet_common.domain import CHINA

router = APIRouter()
FORM = "outreach/contact_new.html"

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
    today = datetime.now(CHINA).date().isoformat()
    values = {"date": today, "campaign_id": request.query_params.get("campaign_id", "")}
    return await person_form(request, session, FORM, person_id, CONTACT, values)


@router.post("/persons/{person_id}/contacts/new")
async def record_contact(request: Request, session: CurrentSession, person_id: UUID, form: CheckedForm) -> Response:
    session.require(*CAN_EDIT)
    values = values_of(form, CONTACT)
    body = {"person_id": str(person_id), **body_of(values)}
    body["needs_follow_up"] = values["needs_follow_up"] == "true"
    # A visit of a campaign (走访慰问活动), when it was opened from the campaign's list of people not reached.
    campaign_id = str(form.get("campaign_id") or "").strip()
    if campaign_id:
        body["campaign_id"] = campaign_id

    async def again(errors: dict[str, str], status: int) -> Response:
        shown = {**values, "campaign_id": campaign_id}
        return await person_form(request, session, FORM, person_id, CONTACT, shown, errors, status)

    return await submitted(
        partial(session.api("outreach").post_json, "/contacts", body),
        lambda created: f"/contacts/{created['id']}?recorded=1",
        again,
        (404, 409, 422),
        partial(refused_fields, inputs=CONTACT),
    )


@router.get("/contacts/{contact_id}")
async def contact(request: Request, session: CurrentSession, contact_id: UUID) -> Response:
    found = await session.api("outreach").get_json(f"/contacts/{contact_id}")
    return render(
        request,
        "outreach/contact.html",
        contact=found,
        method=METHOD_NAMES.get(found["method"], found["method"]),
        recorded=request.query_params.get("recorded") == "1",
        can_edit=session.has_role(*CAN_EDIT),
    )
