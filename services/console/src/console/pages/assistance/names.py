"""What assistance's codes are called on screen (帮扶资金): fund kinds, levels, statuses, steps, notices."""

from __future__ import annotations

from vet_common.auth import Role
from vet_common.regions import LEVEL_LENGTHS
from vet_contracts import assistance

# Who takes which step, as assistance's routes allow it (FILING, APPROVING, MANAGING there).
FILING = (Role.station_staff, Role.officer, Role.admin)
APPROVING = (Role.approver, Role.admin)
MANAGING = (Role.officer, Role.admin)

FUND_KIND_NAMES = assistance.FUND_KIND_NAMES
LEVEL_NAMES = assistance.LEVEL_NAMES
STATUS_NAMES = assistance.APPLICATION_STATUS_NAMES
STEP_NAMES = {
    "submitted": "提交申请",
    "accepted": "受理",
    "returned": "退回",
    "resubmitted": "重新提交",
    "approved": "审批通过",
    "denied": "不予批准",
    "notified": "告知本人",
    "disbursed": "拨付",
    "evaluated": "跟踪回访",
    "suspended": "中止（本人去世）",
    "moved": "随迁移转出",
}
NOTIFY_METHODS = {
    "visit": "上门告知",
    "phone": "电话告知",
    "letter": "书面告知",
    "sms": "短信告知",
    "in_person": "当面告知",
}
PAYROLL_STATUS_NAMES = {"computed": "已生成待审批", "approved": "已审批待发放", "released": "已发放"}
AMOUNT_KINDS = {
    "fixed": "固定金额",
    "share_of_remainder": "按个人自付余额的比例",
    "monthly": "按月发放",
    "yearly": "按年发放",
}


def acting_level(region: str) -> str:
    """The level a jurisdiction acts for, as assistance counts it (a village's staff act for the township)."""
    level = LEVEL_LENGTHS.get(len(region), "township")
    return "township" if level == "village" else level


def waiting_text(waiting_for: str | None) -> str:
    """待县级审批, 待受理 ...: the step an application waits for, and whose it is."""
    if not waiting_for:
        return "已办结"
    step, _, level = waiting_for.partition(":")
    if step == "approve":
        return f"待{LEVEL_NAMES.get(level, level)}审批"
    return {
        "accept": "待受理",
        "resubmit": "待服务站补齐材料后重新提交",
        "notify": "待告知本人",
        "disburse": "待拨付",
        "evaluate": "待跟踪回访",
        "transfer": "待迁入地县级指定资金",
    }.get(step, waiting_for)
