"""迁移: transfer a person out (the sending side asks) and accept or return incoming ones (the receiving side)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.clients import ApiRefused
from console.pages.registry.forms import CAN_EDIT, TOP
from console.pages.registry.persons import person_page
from console.web import CheckedForm, CurrentSession, render

router = APIRouter()


@router.post("/persons/{person_id}/transfer")
async def transfer_out(request: Request, session: CurrentSession, person_id: UUID, form: CheckedForm) -> Response:
    session.require(*CAN_EDIT)
    values = {key: str(form.get(key) or "").strip() for key in ("to_region", "reason")}
    try:
        await session.api("registry").post_json("/transfers", {"person_id": str(person_id), **values})
    except ApiRefused as refusal:
        if refusal.status not in (409, 422):
            raise
        errors = refusal.field_errors() or {TOP: refusal.message()}
        return await person_page(
            request,
            session,
            person_id,
            "facts",
            status_code=refusal.status,
            transfer_errors=errors,
            transfer_values=values,
        )
    # The person's page reads the record itself (the lists follow a moment later, from read models).
    return RedirectResponse(f"/persons/{person_id}?transfer=1", status_code=303)


@router.get("/transfers")
async def transfers(request: Request, session: CurrentSession, direction: str = "incoming") -> Response:
    direction = "outgoing" if direction == "outgoing" else "incoming"
    items = await session.api("registry").get_json("/transfers", params={"direction": direction, "limit": 100})
    return render(
        request, "registry/transfers.html", items=items, direction=direction, can_edit=session.has_role(*CAN_EDIT)
    )


@router.post("/transfers/{transfer_id}/{decision}")
async def decide(
    request: Request, session: CurrentSession, transfer_id: UUID, decision: str, form: CheckedForm
) -> Response:
    session.require(*CAN_EDIT)
    if decision not in ("accept", "reject"):
        return RedirectResponse("/transfers", status_code=303)
    note = str(form.get("note") or "").strip()
    await session.api("registry").post_json(f"/transfers/{transfer_id}/{decision}", {"note": note})
    return RedirectResponse("/transfers", status_code=303)
