"""Policy alerts (政策预警): who is about to become eligible for something, told to the station ahead of time.

Pure functions: no I/O and no clock. The caller passes ``today`` and raises each alert once per person and
occasion, using ``occasion_id(alert)`` as the aggregate id (the same derivation as ``AlertOccasion.create_id``).

The rules, from ``shared/DOMAIN.md`` ("Policy alerts") and the seed documents:

- ``rural_veteran_turning_60``: an active veteran with a rural household register (农村籍退役军人) whose 60th
  birthday falls within the lead time can claim the monthly subsidy (*default* 200 yuan: "今年我办理了年满60岁的
  农村籍退役军人待遇，现在我每个月都能够领到补助200元"); the bureau tells people "提前3个月" (*default* 90 days).
- ``turning_80``: anyone active whose 80th birthday falls within the lead time becomes a key contact
  (80岁以上高龄).
- ``annual_confirmation_due``: this year's annual confirmation (年度确认) is not recorded and its due date
  (*default* 31 December) is within the lead time or already past.
- ``certificate_cutoff``: the person still holds an old-style disability certificate and the cut-off after which
  old ones are void ("8月1日起旧证将作废", *default* 1 August) is within the lead time and not yet reached.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Literal

from registry.domain import KEY_CONTACT_AGE, AlertOccasion
from vet_common.money import format_yuan

Household = Literal["rural", "urban"]
Status = Literal["active", "transferred_out", "deceased"]
PreferentialCard = Literal["none", "applied", "issued"]
DisabilityCertificate = Literal["none", "old", "new"]

# Who counts as a veteran (退役军人) for the rural subsidy. The seeds name the benefit "年满60岁的农村籍退役军人待遇"
# and the person receiving it is a 退役士兵; 退役军人 are those who served in the armed forces and left active
# service. So: the categories of former servicemen, i.e. transferred officers, discharged and demobilised soldiers,
# retired cadres and retired NCOs, Red Army veterans and disabled soldiers. Not veterans: civilian retirees of the
# forces (无军籍, never soldiers), disabled militia and civilian workers (民兵民工, never in active service),
# survivors (烈士/因公牺牲/病故军人遗属) and active-duty families. Any one veteran category suffices, also next to a
# survivor category. The alert asks staff to check; the finer conditions of the subsidy (e.g. not already drawing
# another state pension) are checked when the application is made, and the seeds prefer a check to a miss
# ("待遇落实可能遗漏"). The set is a setting: pass another to ``AlertRules``.
VETERAN_CATEGORIES: frozenset[str] = frozenset(
    {
        "transferred_officer",  # 军队转业干部
        "discharged_soldier",  # 退役士兵
        "retired_cadre",  # 军队离休退休干部和退休士官
        "demobilized_soldier",  # 复员军人
        "red_army_veteran",  # 退伍红军老战士和红军失散人员
        "disabled_soldier",  # 残疾军人
    }
)


class AlertKind(StrEnum):
    rural_veteran_turning_60 = "rural_veteran_turning_60"  # 农村籍退役军人年满60周岁
    turning_80 = "turning_80"  # 年满80周岁
    annual_confirmation_due = "annual_confirmation_due"  # 年度确认到期
    certificate_cutoff = "certificate_cutoff"  # 旧式残疾军人证作废


ALERT_KIND_NAMES: dict[AlertKind, str] = {
    AlertKind.rural_veteran_turning_60: "农村籍退役军人年满60周岁",
    AlertKind.turning_80: "年满80周岁",
    AlertKind.annual_confirmation_due: "年度确认到期",
    AlertKind.certificate_cutoff: "旧式残疾军人证作废",
}


@dataclass(frozen=True)
class AlertSubject:
    """What the alert rules need to know about one person (no name, no ID number)."""

    person_id: str
    region: str
    birth_date: date
    household: Household | None
    categories: frozenset[str]
    status: Status = "active"
    confirmed_years: frozenset[int] = frozenset()
    preferential_card: PreferentialCard = "none"
    disability_certificate: DisabilityCertificate = "none"


@dataclass(frozen=True)
class AlertRules:
    """The settings behind the alerts; every default is marked *default* in DOMAIN.md or chosen here."""

    lead_days: int = 90  # "提前3个月"
    rural_subsidy_age: int = 60
    rural_subsidy_monthly_fen: int = 20000  # 200 yuan a month
    senior_age: int = KEY_CONTACT_AGE
    # Old-style disability certificates are void from this day of the year (the day itself included).
    certificate_cutoff: tuple[int, int] = (8, 1)
    # The annual confirmation is due by this day of each year (included): by default the year's last day, so it
    # is announced from early October (lead_days before) and an unconfirmed year shows until the year ends.
    confirmation_due: tuple[int, int] = (12, 31)
    veteran_categories: frozenset[str] = VETERAN_CATEGORIES

    def __post_init__(self) -> None:
        if self.lead_days < 0:
            raise ValueError(f"lead_days must be 0 or more, got {self.lead_days}")
        for name in ("rural_subsidy_age", "senior_age"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be 1 or more, got {getattr(self, name)}")
        if self.rural_subsidy_monthly_fen < 0:
            raise ValueError(f"rural_subsidy_monthly_fen must be 0 or more, got {self.rural_subsidy_monthly_fen}")
        for name in ("certificate_cutoff", "confirmation_due"):
            month, day = getattr(self, name)
            try:
                date(2000, month, day)  # a leap year, so (2, 29) is allowed; other years use 28 February
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be a (month, day) of the calendar, got {(month, day)!r}") from None


@dataclass(frozen=True)
class Alert:
    """One alert for station staff. ``occasion`` makes "once per person and occasion" checkable."""

    person_id: str
    region: str
    kind: AlertKind
    occasion: str  # the birthday ("2027-03-15") or the year ("2026")
    due_on: date
    message: str
    details: dict[str, Any] = field(default_factory=dict, hash=False)  # JSON-ready values only


def day_of_year(year: int, month: int, day: int) -> date:
    """``date(year, month, day)``, with a day the month lacks (29 February) moved to the month's last day."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def anniversary(birth_date: date, years: int) -> date:
    """The day someone born on ``birth_date`` reaches ``years`` full years of age (年满N周岁).

    Someone born on 29 February reaches it on 28 February of a common year, not 1 March: Civil Code art. 202
    ("没有对应日的，月末日为期间的最后一日") ends a period counted in years on the month's last day when the
    corresponding day is missing, and an alert due a day early never makes the station late.
    """
    return day_of_year(birth_date.year + years, birth_date.month, birth_date.day)


def occasion_id(alert: Alert) -> uuid.UUID:
    """A stable id per person, kind and occasion: raise an alert with it as aggregate id and it is raised once."""
    return AlertOccasion.create_id(alert.person_id, alert.kind, alert.occasion)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def alerts_for(subject: AlertSubject, today: date, rules: AlertRules = AlertRules()) -> list[Alert]:
    """The alerts for one person on ``today``, earliest due first.

    An alert is listed when its due date lies in ``[today, today + lead_days]``; the annual confirmation also
    when this year's is overdue; the certificate cut-off only while it is still ahead. Nobody deceased or
    transferred out gets alerts.
    """
    if subject.status != "active":
        return []
    horizon = today + timedelta(days=rules.lead_days)
    alerts: list[Alert] = []

    def add(kind: AlertKind, occasion: str, due_on: date, message: str, **details: Any) -> None:
        alerts.append(Alert(subject.person_id, subject.region, kind, occasion, due_on, message, details))

    turning_60 = anniversary(subject.birth_date, rules.rural_subsidy_age)
    if (
        subject.household == "rural"
        and subject.categories & rules.veteran_categories
        and today <= turning_60 <= horizon
    ):
        add(
            AlertKind.rural_veteran_turning_60,
            turning_60.isoformat(),
            turning_60,
            f"该人员将于{_cn(turning_60)}年满{rules.rural_subsidy_age}周岁，可申领农村退役军人生活补助"
            f"（每月{format_yuan(rules.rural_subsidy_monthly_fen)}元），请提前告知本人办理流程和所需材料",
            age=rules.rural_subsidy_age,
            monthly_fen=rules.rural_subsidy_monthly_fen,
        )

    turning_80 = anniversary(subject.birth_date, rules.senior_age)
    if today <= turning_80 <= horizon:
        add(
            AlertKind.turning_80,
            turning_80.isoformat(),
            turning_80,
            f"该人员将于{_cn(turning_80)}年满{rules.senior_age}周岁，届时列为重点联系对象（{rules.senior_age}岁以上高龄）",
            age=rules.senior_age,
        )

    confirmation_due = day_of_year(today.year, *rules.confirmation_due)
    if today.year not in subject.confirmed_years and confirmation_due <= horizon:
        overdue = confirmation_due < today
        add(
            AlertKind.annual_confirmation_due,
            str(today.year),
            confirmation_due,
            f"该人员{today.year}年度确认已逾期（应于{_cn(confirmation_due)}前完成），请尽快办理"
            if overdue
            else f"该人员{today.year}年度确认尚未完成，请于{_cn(confirmation_due)}前完成",
            year=today.year,
            overdue=overdue,
        )

    cutoff = day_of_year(today.year, *rules.certificate_cutoff)
    if cutoff <= today:  # this year's has passed (old certificates are void from it): the next one is ahead
        cutoff = day_of_year(today.year + 1, *rules.certificate_cutoff)
    if subject.disability_certificate == "old" and cutoff <= horizon:
        add(
            AlertKind.certificate_cutoff,
            str(cutoff.year),
            cutoff,
            f"该人员持旧式残疾军人证，旧证自{_cn(cutoff)}起作废，请尽快换发新式证件",
            cutoff=cutoff.isoformat(),
        )

    return sorted(alerts, key=lambda alert: (alert.due_on, alert.kind))
