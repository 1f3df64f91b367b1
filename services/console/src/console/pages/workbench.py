"""工作台 (to-do): what is waiting for the signed-in person, one box per thing a module contributes: the
registry's policy alerts and incoming transfers, outreach's pairings, requests and campaign deadlines, and
(below) the applications waiting on the person's step, from assistance's API."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.pages import NavItem, PageModule, TodoSection
from console.pages.outreach.todo import asked
from console.people import name_in, names_of
from console.web import CurrentSession, Session, render
from vet_common.auth import Role

router = APIRouter()

# The step an application waits for (assistance's `waiting_for`), by who takes it.
STEP_NAMES = {
    "accept": "待受理",
    "resubmit": "待补正后重新提交",
    "notify": "待告知",
    "evaluate": "待回访",
    "disburse": "待拨付",
}
LEVEL_OF_LENGTH = {2: "province", 4: "city", 6: "county", 9: "township"}  # as assistance's level_of_jurisdiction
ROWS = 20


def my_steps(session: Session) -> list[str]:
    """The `waiting_for` values this person acts on: stations file, accept, notify and follow up; approvers
    approve at their level; officers also pay."""
    steps: list[str] = []
    if session.has_role(Role.station_staff, Role.officer, Role.admin):
        steps += ["accept", "resubmit", "notify", "evaluate"]
    if session.has_role(Role.officer, Role.admin):
        steps.append("disburse")
    if session.has_role(Role.approver, Role.admin):
        level = LEVEL_OF_LENGTH.get(len(session.principal.region), "township")
        steps.append(f"approve:{level}")
    return steps


async def waiting_applications(session: Session) -> TodoSection | None:
    """待办申请: applications in my jurisdiction waiting for a step I take, the oldest first."""
    steps = my_steps(session)
    if not steps:
        return None
    section = TodoSection("等待我办理的救助申请", [], empty="没有等待您办理的申请")
    api = session.api("assistance")
    pages = await asked(
        section,
        asyncio.gather(*(api.get_json("/applications", params={"waiting_for": s, "page_size": ROWS}) for s in steps)),
    )
    if pages is None:
        return section
    rows = sorted(
        (item for page in pages for item in page["items"]), key=lambda item: str(item.get("submitted_at", ""))
    )[:ROWS]
    names = await names_of(session, (item["person_id"] for item in rows))
    for item in rows:
        waiting = str(item.get("waiting_for") or "")
        step = "待审批" if waiting.startswith("approve:") else STEP_NAMES.get(waiting, waiting)
        amount = f" · {int(item['amount_fen']) / 100:,.2f} 元" if item.get("amount_fen") is not None else ""
        section.rows.append((f"{name_in(names, item['person_id'])} · {step}{amount}", f"/persons/{item['person_id']}"))
    return section


@router.get("/")
async def workbench(request: Request, session: CurrentSession) -> Response:
    providers = [provider for module in request.app.state.modules for provider in module.todo]
    found = await asyncio.gather(*(provider(session) for provider in providers))
    sections: list[TodoSection] = [section for section in found if section is not None]
    return render(request, "workbench.html", sections=sections)


module = PageModule(name="workbench", router=router, nav=[NavItem("工作台", "/")], todo=[waiting_applications])
