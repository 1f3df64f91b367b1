"""工作台 (to-do): what is waiting for the signed-in person, one box per thing a module contributes.

Slots waiting for their services' APIs: the due and overdue contacts of my pairings (outreach), requests due or
escalated to me (outreach's ledger), applications waiting on my step (assistance), campaign deadlines
(outreach). Each arrives as a TodoProvider in its module's `todo`.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.pages import NavItem, PageModule, TodoSection
from console.web import CurrentSession, render

router = APIRouter()


@router.get("/")
async def workbench(request: Request, session: CurrentSession) -> Response:
    providers = [provider for module in request.app.state.modules for provider in module.todo]
    found = await asyncio.gather(*(provider(session) for provider in providers))
    sections: list[TodoSection] = [section for section in found if section is not None]
    return render(request, "workbench.html", sections=sections)


module = PageModule(name="workbench", router=router, nav=[NavItem("工作台", "/")])
