"""人员档案: search first, the paged list, a person's page with tabs, register, edit, reveal with a purpose."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.clients import ApiRefused
from console.pages.registry.forms import (
    CAN_EDIT,
    CAN_REVEAL,
    CORRECTION,
    EDIT_FORMS,
    REGISTRATION,
    TOP,
    body_of,
    place_errors,
    prefilled,
    values_of,
)
from console.web import CheckedForm, ConsoleRefused, CurrentSession, render

router = APIRouter()

TABS = {
    "facts": "基本信息",
    "categories": "人员类别",
    "service": "服役信息",
    "disability": "伤残情况",
    "key": "重点联系",
    "certificates": "证件",
}
HISTORY = ("history", "变更记录")  # the last tab, after those the other services add (contacts, requests, ...)
FILTERS = ("region", "category", "key_contact", "status", "disability_level")
PAGE_SIZE = 20


def search_of(values: dict[str, str]) -> dict[str, Any]:
    """The registry's search body from the form's filters (blanks left out)."""
    body: dict[str, Any] = {"page_size": PAGE_SIZE}
    for key in ("q", "after", *FILTERS):
        value = (values.get(key) or "").strip()
        if value:
            body[key] = int(value) if key == "disability_level" and value.isdigit() else value
    if body.get("key_contact") in ("true", "false"):
        body["key_contact"] = body["key_contact"] == "true"
    return body


async def results(request: Request, session: CurrentSession, values: dict[str, str]) -> Response:
    # POST /persons/search: an ID number typed into the search box stays out of URLs and logs.
    try:
        page = await session.api("registry").post_json("/persons/search", search_of(values))
        errors: dict[str, str] = {}
    except ApiRefused as refusal:
        if refusal.status != 422:
            raise
        page, errors = {"items": [], "total": 0, "next": None}, refusal.field_errors() or {TOP: refusal.message()}
    template = "registry/_results.html" if request.headers.get("HX-Request") == "true" else "registry/persons.html"
    return render(
        request,
        template,
        422 if errors else 200,
        page=page,
        values=values,
        errors=errors,
        can_edit=session.has_role(*CAN_EDIT),
    )


@router.get("/persons")
async def persons(request: Request, session: CurrentSession) -> Response:
    values = {key: request.query_params.get(key, "") for key in ("q", *FILTERS)}
    if values["q"] and looks_like_id_number(values["q"]):
        values["q"] = ""  # never search by an ID number from a URL: the form posts it
    return await results(request, session, values)


@router.get("/persons/search")
async def search_again() -> Response:
    """ "Try again" after a failed search reloads this address: start from the list."""
    return RedirectResponse("/persons", status_code=303)


@router.post("/persons/search")
async def search(request: Request, session: CurrentSession, form: CheckedForm) -> Response:
    values = {key: str(form.get(key) or "") for key in ("q", "after", *FILTERS)}
    return await results(request, session, values)


def looks_like_id_number(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) >= 15


@router.get("/persons/new")
async def new_person(request: Request, session: CurrentSession) -> Response:
    session.require(*CAN_EDIT)
    region = session.principal.region
    return render(
        request,
        "registry/register.html",
        inputs=REGISTRATION,
        values={"region": region if len(region) == 12 else ""},
        errors={},
    )


@router.post("/persons/new")
async def register(request: Request, session: CurrentSession, form: CheckedForm) -> Response:
    session.require(*CAN_EDIT)
    values = values_of(form, REGISTRATION)
    try:
        created = await session.api("registry").post_json("/persons", body_of(values))
    except ApiRefused as refusal:
        if refusal.status not in (403, 409, 422):
            raise
        errors = place_errors(refusal.field_errors(), REGISTRATION) or {TOP: refusal.message()}
        existing = refusal.body.get("existing_id") if refusal.status == 409 else None
        return render(
            request,
            "registry/register.html",
            refusal.status,
            inputs=REGISTRATION,
            values=values,
            errors=errors,
            existing_id=existing,
        )
    return RedirectResponse(f"/persons/{created['id']}?registered=1", status_code=303)


async def nothing() -> None:
    return None


async def person_page(
    request: Request,
    session: CurrentSession,
    person_id: UUID,
    tab: str,
    *,
    reveal: tuple[str, str] | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    api = session.api("registry")
    added = {item.key: item for module in request.app.state.modules for item in module.person_tabs}
    tabs = {**TABS, **{key: item.label for key, item in added.items()}, HISTORY[0]: HISTORY[1]}
    if tab not in tabs:
        tab = "facts"
    params = {"reveal": reveal[0]} if reveal else None
    # The record, and the tab's content from its service, side by side.
    person, history, content = await asyncio.gather(
        api.get_json(f"/persons/{person_id}", params=params, purpose=reveal[1] if reveal else None),
        api.get_json(f"/persons/{person_id}/history") if tab == "history" else nothing(),
        added[tab].context(session, str(person_id)) if tab in added else nothing(),
    )
    actions = [
        (item.label, item.href.format(person_id=person_id))
        for module in request.app.state.modules
        for item in module.person_actions
        if item.allowed(session)
    ]
    return render(
        request,
        "registry/person.html",
        status_code,
        person=person,
        tab=tab,
        tabs=tabs,
        tab_template=added[tab].template if tab in added else None,
        tab_content=content or {},
        history=history or [],
        forms=EDIT_FORMS,
        actions=actions,
        can_edit=session.has_role(*CAN_EDIT),
        can_reveal=session.has_role(*CAN_REVEAL),
        registered=request.query_params.get("registered") == "1",
        transfer_requested=request.query_params.get("transfer") == "1",
        **context,
    )


@router.get("/persons/{person_id}")
async def person(request: Request, session: CurrentSession, person_id: UUID, tab: str = "facts") -> Response:
    return await person_page(request, session, person_id, tab)


REVEALABLE = ("id_number", "phone", "payment_account")  # as the registry's GET /persons/{id}?reveal=


@router.post("/persons/{person_id}/reveal")
async def reveal(request: Request, session: CurrentSession, person_id: UUID, form: CheckedForm) -> Response:
    """The record with ID and phone numbers or the payment account in clear, for the purpose given (the registry
    logs the reading)."""
    session.require(*CAN_REVEAL)
    purpose = str(form.get("purpose") or "").strip()
    fields = ",".join(str(value) for value in form.getlist("fields") if value in REVEALABLE)
    if not purpose or not fields:
        errors = {"purpose": "请说明查看用途"} if not purpose else {"fields": "请选择要查看的内容"}
        return await person_page(request, session, person_id, "facts", status_code=422, reveal_errors=errors)
    return await person_page(request, session, person_id, "facts", reveal=(fields, purpose))


@router.get("/persons/{person_id}/edit/{form_name}")
async def edit(request: Request, session: CurrentSession, person_id: UUID, form_name: str) -> Response:
    session.require(*CAN_EDIT)
    spec = EDIT_FORMS.get(form_name)
    if spec is None:
        raise ConsoleRefused(404, "没有这个表单")
    record = await session.api("registry").get_json(f"/persons/{person_id}")
    return edit_page(request, record, form_name, prefilled(record, spec), {})


def edit_page(
    request: Request,
    record: dict[str, Any],
    form_name: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    spec = EDIT_FORMS[form_name]
    inputs = spec.inputs + ((CORRECTION,) if spec.correctable and record.get("status") == "deceased" else ())
    return render(
        request,
        "registry/edit.html",
        status_code,
        person=record,
        form_name=form_name,
        spec=spec,
        inputs=inputs,
        values=values,
        errors=errors,
    )


@router.post("/persons/{person_id}/edit/{form_name}")
async def save_edit(
    request: Request, session: CurrentSession, person_id: UUID, form_name: str, form: CheckedForm
) -> Response:
    session.require(*CAN_EDIT)
    spec = EDIT_FORMS.get(form_name)
    if spec is None:
        raise ConsoleRefused(404, "没有这个表单")
    inputs = spec.inputs + ((CORRECTION,) if spec.correctable else ())
    values = values_of(form, inputs)
    version = str(form.get("version") or "")
    api = session.api("registry")
    try:
        await api.post_json(
            f"/persons/{person_id}/{spec.path}",
            body_of(values),
            if_match=int(version) if version.isdigit() else None,
        )
    except ApiRefused as refusal:
        if refusal.status not in (403, 409, 412, 422):
            raise
        record = await api.get_json(f"/persons/{person_id}")
        if refusal.status == 412:
            errors = {TOP: "该档案刚被他人修改，下面是最新内容，请核对后重新提交"}
        else:
            errors = place_errors(refusal.field_errors(), inputs) or {TOP: refusal.message()}
        return edit_page(request, record, form_name, values, errors, refusal.status)
    return RedirectResponse(f"/persons/{person_id}", status_code=303)
