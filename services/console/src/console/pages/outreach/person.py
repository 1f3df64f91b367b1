"""What outreach adds to a person's page: the tabs 联系记录 (their contacts, newest first) and 诉求 (their
requests, with each one's status and deadline)."""

from __future__ import annotations

from typing import Any

from console.pages import PersonTab
from console.pages.outreach.names import GRADE_NAMES, METHOD_NAMES, REQUEST_CATEGORY_NAMES, REQUEST_STATUS_NAMES
from console.web import Session

CONTACT_STATUS_NAMES = {"recorded": "", "corrected": "已更正", "withdrawn": "已撤回"}


async def contacts_of(session: Session, person_id: str) -> dict[str, Any]:
    found = await session.api("outreach").get_json(f"/persons/{person_id}/contacts", params={"limit": 20})
    return {"contacts": found["items"], "methods": METHOD_NAMES, "statuses": CONTACT_STATUS_NAMES}


async def requests_of(session: Session, person_id: str) -> dict[str, Any]:
    found = await session.api("outreach").get_json(f"/persons/{person_id}/requests")
    return {
        "requests": found,
        "categories": REQUEST_CATEGORY_NAMES,
        "grades": GRADE_NAMES,
        "statuses": REQUEST_STATUS_NAMES,
    }


TABS = [
    PersonTab("contacts", "联系记录", "outreach/_person_contacts.html", contacts_of),
    PersonTab("requests", "诉求", "outreach/_person_requests.html", requests_of),
]
