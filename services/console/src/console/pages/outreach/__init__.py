"""联系走访 (outreach): my pairings, the due and overdue lists, recording a visit or a call, campaigns with their
progress and county summary tables, and the request ledger (诉求台账); what outreach adds to the to-do page."""

from __future__ import annotations

from fastapi import APIRouter

from console.pages import NavItem, PageModule
from console.pages.outreach import campaigns, contacts, pairings, person, requests, schedule, todo
from console.pages.registry.forms import CAN_EDIT

router = APIRouter()
for part in (schedule, contacts, pairings, campaigns, requests):
    router.include_router(part.router)

module = PageModule(
    name="outreach",
    router=router,
    nav=[
        NavItem("联系走访", "/pairings"),
        NavItem("走访慰问活动", "/campaigns"),
        NavItem("诉求台账", "/requests"),
    ],
    todo=[
        todo.my_contacts,
        todo.my_requests,
        todo.overdue_requests,
        todo.escalated_requests,
        todo.campaign_deadlines,
    ],
    person_actions=[
        NavItem("记录走访或电话", "/persons/{person_id}/contacts/new", CAN_EDIT),
        NavItem("登记诉求", "/requests/new?person_id={person_id}", CAN_EDIT),
    ],
    person_tabs=person.TABS,
)
