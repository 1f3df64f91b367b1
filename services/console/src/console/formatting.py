"""How values look on screen: dates in Asia/Shanghai, money in yuan with two decimals, names beside codes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from jinja2 import Environment

from vet_common.domain import CHINA
from vet_common.regions import name_of
from vet_contracts import registry


def as_date(value: Any) -> str:
    """2026-08-01 for a date, an ISO text or a datetime (taken in Asia/Shanghai)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return (value.astimezone(CHINA) if value.tzinfo else value).date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


def as_datetime(value: Any) -> str:
    """2026-08-01 14:05 in Asia/Shanghai (a time without zone is UTC, as the APIs send it)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return as_date(value)


def yuan(fen: Any) -> str:
    """12,345.60 元 from int fen; empty for none."""
    if fen in (None, ""):
        return ""
    amount = int(fen)
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole:,}.{cents:02d} 元"


CATEGORY_NAMES = registry.CATEGORY_NAMES
KEY_CONTACT_REASON_NAMES = {
    "aged_80_or_over": "80岁以上高龄",
    "severely_disabled": "伤残1至6级",
    "martyr_survivor": "烈士遗属",
    "meritorious": "二等功以上",
    "meritorious_model": "功臣模范",
    "extremely_poor": "特困",
    "unemployed": "下岗失业",
    "living_in_difficulty": "生活困难",
    "widowed_orphaned_alone": "鳏寡孤独",
    "other": "其他",
}
# The reasons a worker designates by hand; the others follow from the record.
MANUAL_KEY_CONTACT_REASONS = (
    "meritorious_model",
    "extremely_poor",
    "unemployed",
    "living_in_difficulty",
    "widowed_orphaned_alone",
    "other",
)
STATUS_NAMES = {
    "active": "在册",
    "deceased": "已故",
    "merged": "已合并",
    "pending": "待处理",
    "accepted": "已接收",
    "rejected": "已退回",
    "running": "导入中",
    "completed": "已完成",
    "failed": "失败",
}
SEX_NAMES = {"male": "男", "female": "女"}
HOUSEHOLD_NAMES = {"rural": "农村", "urban": "城镇"}
PROFILE_NAMES = {
    "family_life": "家庭生活",
    "medical_security": "医疗保障",
    "housing": "住房",
    "children_education": "子女教育",
    "employment": "就业创业",
    "difficulties": "困难诉求",
}
EVENT_NAMES = {
    "Registered": "登记建档",
    "ProfileUpdated": "更新家庭情况",
    "ContactChanged": "修改联系方式",
    "CategoriesChanged": "修改人员类别",
    "ServiceRecordChanged": "修改服役信息",
    "HonourAdded": "记录荣誉",
    "DisabilityAssessed": "评定伤残等级",
    "KeyContactDesignated": "列为重点联系对象",
    "KeyContactRemoved": "取消重点联系对象",
    "PreferentialCardApplied": "申领优待证",
    "PreferentialCardIssued": "发放优待证",
    "DisabilityCertificateReplaced": "换发残疾军人证",
    "AnnualConfirmationRecorded": "年度确认",
    "SurvivorLinked": "关联遗属",
    "Died": "登记去世",
    "DeathCorrected": "更正去世记录",
    "TransferRequested": "申请迁出",
    "Transferred": "迁移完成",
    "TransferCancelled": "取消迁移",
    "MergedInto": "合并重复档案",
    "PersonalDataRevealed": "查看完整个人信息",
}


def region(code: Any) -> str:
    """A region's own name (鼓楼区) from the division table; a village (not in the table) as its township's name
    and its code."""
    if code in (None, ""):
        return ""
    text = str(code)
    township = name_of(text[:9]) if len(text) == 12 else None
    return name_of(text) or (f"{township} {text}" if township else text)


def named(value: Any, table: dict[str, str]) -> str:
    return table.get(str(value), str(value)) if value not in (None, "") else ""


def install(env: Environment) -> None:
    env.filters.update(
        as_date=as_date,
        as_datetime=as_datetime,
        yuan=yuan,
        category=lambda v: named(v, CATEGORY_NAMES),
        reason=lambda v: named(v, KEY_CONTACT_REASON_NAMES),
        status=lambda v: named(v, STATUS_NAMES),
        sex=lambda v: named(v, SEX_NAMES),
        household=lambda v: named(v, HOUSEHOLD_NAMES),
        event=lambda v: named(v, EVENT_NAMES),
        profile=lambda v: named(v, PROFILE_NAMES),
        region=region,
    )
    env.globals.update(
        CATEGORY_NAMES=CATEGORY_NAMES,
        KEY_CONTACT_REASON_NAMES=KEY_CONTACT_REASON_NAMES,
        MANUAL_KEY_CONTACT_REASONS=MANUAL_KEY_CONTACT_REASONS,
    )
