"""What outreach adds to the to-do page (工作台): my pairings' overdue and due contacts, the requests I am
responsible for, those past their deadline or escalated to my level, and the deadlines of campaigns."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from console.clients import ApiRefused, ServiceUnavailable
from console.pages import TodoSection, unavailable_text
from console.pages.outreach.names import REQUEST_CATEGORY_NAMES
from console.pages.registry.forms import CAN_EDIT
from console.people import name_in, names_of
from console.web import Session
from vet_common.domain import CHINA

T = TypeVar("T")
DUE_WITHIN_DAYS = 14  # a pairing's contact falling due this soon is on the to-do page
CAMPAIGN_WITHIN_DAYS = 30
ROWS = 20


def today() -> date:
    return datetime.now(CHINA).date()


async def asked(section: TodoSection, answer: Awaitable[T]) -> T | None:
    """The service's answer, or None with the box saying the service could not be asked (the page still opens)."""
    try:
        return await answer
    except (ServiceUnavailable, ApiRefused) as error:
        section.unavailable = unavailable_text(error)
        return None


async def my_contacts(session: Session) -> TodoSection | None:
    """结对联系: the people paired with me whose contact or home visit is overdue or falls due soon."""
    if not session.has_role(*CAN_EDIT):
        return None
    section = TodoSection("我结对的重点对象：逾期和近期应联系", [], empty="结对对象都已按时联系", more_href="/pairings")
    caseload = await asked(
        section, session.api("outreach").get_json(f"/staff/{quote(session.principal.sub, safe='')}/caseload")
    )
    if caseload is None:
        return section
    soon = (today() + timedelta(days=DUE_WITHIN_DAYS)).isoformat()
    waiting = [item for item in caseload["items"] if item["schedule"] and next_due(item["schedule"]) <= soon]
    names = await names_of(session, (item["person_id"] for item in waiting[:ROWS]))
    for item in waiting[:ROWS]:
        schedule = item["schedule"]
        when = f"逾期 {schedule['days_overdue']} 天" if schedule["days_overdue"] else f"{next_due(schedule)} 前应联系"
        section.rows.append(
            (f"{name_in(names, item['person_id'])} · {when}", f"/persons/{item['person_id']}/contacts/new")
        )
    return section


def next_due(schedule: dict[str, Any]) -> str:
    return min(str(schedule["contact_due"]), str(schedule["home_visit_due"]))


async def requests_section(
    session: Session, title: str, params: dict[str, str], empty: str, more_href: str
) -> TodoSection:
    section = TodoSection(title, [], empty=empty, more_href=more_href)
    page = await asked(
        section, session.api("outreach").get_json("/requests", params={**params, "page_size": str(ROWS)})
    )
    if page is None:
        return section
    names = await names_of(session, (row["person_id"] for row in page["items"]))
    for row in page["items"]:
        category = REQUEST_CATEGORY_NAMES.get(row["category"], row["category"])
        late = "（已逾期）" if row.get("overdue") else ""
        text = f"{name_in(names, row['person_id'])} · {category} · {row['deadline']} 到期{late}"
        section.rows.append((text, f"/requests/{row['id']}"))
    return section


async def my_requests(session: Session) -> TodoSection | None:
    """我负责的诉求: open requests I am responsible for, the soonest deadline first."""
    if not session.has_role(*CAN_EDIT):
        return None
    return await requests_section(
        session,
        "我负责的诉求",
        {"assignee": session.principal.sub},
        "没有由您负责的未办结诉求",
        "/requests?mine=true",
    )


async def overdue_requests(session: Session) -> TodoSection:
    """诉求逾期: open requests past their deadline in my jurisdiction."""
    return await requests_section(
        session, "逾期未办结的诉求", {"overdue": "true"}, "没有逾期的诉求", "/requests?overdue=true"
    )


async def escalated_requests(session: Session) -> TodoSection:
    """督办: requests escalated to my level."""
    return await requests_section(
        session, "上级督办的诉求", {"escalated": "true"}, "没有督办中的诉求", "/requests?escalated=true"
    )


async def campaign_deadlines(session: Session) -> TodoSection:
    """活动截止: the campaigns I take part in whose plan, visits or report deadline is near (or just passed)."""
    section = TodoSection("走访慰问活动截止日期", [], empty="近期没有到期的走访慰问活动", more_href="/campaigns")
    page = await asked(section, session.api("outreach").get_json("/campaigns", params={"limit": str(ROWS)}))
    if page is None:
        return section
    start, end = today().isoformat(), (today() + timedelta(days=CAMPAIGN_WITHIN_DAYS)).isoformat()
    labels = {"plan": "方案", "visits": "走访", "report": "汇总表"}
    for campaign in page["items"]:
        near = [(labels[name], on) for name, on in campaign["deadlines"].items() if start <= str(on) <= end]
        if near:
            when = "，".join(f"{label} {on} 截止" for label, on in near)
            section.rows.append((f"{campaign['name']} · {when}", f"/campaigns/{campaign['id']}"))
    return section
