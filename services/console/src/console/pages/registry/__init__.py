"""The registry's pages (人员档案): search, a person's page, register and edit, transfers, roster import."""

from __future__ import annotations

from fastapi import APIRouter

from console.clients import ApiRefused, ServiceUnavailable
from console.pages import NavItem, PageModule, TodoSection, unavailable_text
from console.pages.registry import imports, persons, transfers
from console.pages.registry.forms import CAN_EDIT
from console.web import Session

router = APIRouter()
# The fixed paths (/persons/new, /imports/new) before the ones with an id.
router.include_router(imports.router)
router.include_router(persons.router)
router.include_router(transfers.router)

ALERT_NAMES = {
    "rural_veteran_turning_60": "农村籍退役军人年满60周岁",
    "turning_80": "年满80周岁",
    "annual_confirmation_due": "年度确认到期",
    "certificate_cutoff": "旧式残疾军人证作废",
}


async def policy_alerts(session: Session) -> TodoSection:
    """政策提醒: the registry's alerts due within 30 days in the user's jurisdiction."""
    section = TodoSection("政策提醒（30天内到期）", [], empty="近期没有到期的政策提醒")
    try:
        alerts = await session.api("registry").get_json("/alerts", params={"within_days": 30, "limit": 20})
    except (ServiceUnavailable, ApiRefused) as error:
        section.unavailable = unavailable_text(error)
        return section
    for alert in alerts:
        text = f"{alert['due_on']} · {ALERT_NAMES.get(alert['kind'], alert.get('kind_name', ''))} · {alert['message']}"
        section.rows.append((text, f"/persons/{alert['person_id']}"))
    return section


async def incoming_transfers(session: Session) -> TodoSection | None:
    """迁入待接收: transfers waiting on the user's jurisdiction."""
    if not session.has_role(*CAN_EDIT):
        return None
    section = TodoSection("待接收的迁入人员", [], empty="没有待接收的迁入", more_href="/transfers")
    try:
        items = await session.api("registry").get_json("/transfers", params={"direction": "incoming", "limit": 20})
    except (ServiceUnavailable, ApiRefused) as error:
        section.unavailable = unavailable_text(error)
        return section
    for item in items:
        section.rows.append(
            (f"由 {item.get('from_region_name') or item['from_region']} 迁入：{item['reason']}", "/transfers")
        )
    return section


module = PageModule(
    name="registry",
    router=router,
    nav=[
        NavItem("人员档案", "/persons"),
        NavItem("登记建档", "/persons/new", CAN_EDIT),
        NavItem("花名册导入", "/imports/new", CAN_EDIT),
        NavItem("迁移", "/transfers"),
    ],
    todo=[policy_alerts, incoming_transfers],
)
