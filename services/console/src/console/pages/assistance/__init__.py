"""Assistance's pages (帮扶资金): funds, applications through every step, monthly payrolls and their bank files."""

from __future__ import annotations

from fastapi import APIRouter

from console.clients import ApiRefused, ServiceUnavailable
from console.formatting import yuan
from console.pages import NavItem, PageModule, PersonTab, TodoSection, unavailable_text
from console.pages.assistance import applications, funds, payrolls
from console.pages.assistance.names import FILING, waiting_text
from console.people import name_in, names_of
from console.web import Session

router = APIRouter()
# /funds/new before /funds/{fund_id}; the payroll routes after the funds' (they post to /funds/{id}/payrolls).
router.include_router(funds.router)
router.include_router(payrolls.router)
router.include_router(applications.router)


async def waiting_applications(session: Session) -> TodoSection | None:
    """待办申请: applications waiting on a step this user takes, at their level."""
    steps = applications.my_steps(session)
    if not steps:
        return None
    section = TodoSection("待我办理的帮扶申请", [], empty="没有等待您办理的申请", more_href="/applications")
    try:
        rows = await applications.waiting_lists(session, steps, 10)
    except (ServiceUnavailable, ApiRefused) as error:
        section.unavailable = unavailable_text(error)
        return section
    names = await names_of(session, (row["person_id"] for row in rows))
    for row in rows:
        amount = f" · {yuan(row['amount_fen'])}" if row.get("amount_fen") is not None else ""
        who = name_in(names, row["person_id"])
        section.rows.append((f"{who} · {waiting_text(row['waiting_for'])}{amount}", f"/applications/{row['id']}"))
    return section


module = PageModule(
    name="assistance",
    router=router,
    nav=[NavItem("帮扶资金", "/funds"), NavItem("帮扶申请", "/applications")],
    todo=[waiting_applications],
    person_actions=[NavItem("代办帮扶申请", "/persons/{person_id}/applications/new", FILING)],
    person_tabs=[PersonTab("assistance", "帮扶", "assistance/_person_tab.html", applications.assistance_of)],
)
