"""A fund's rules (资金规则): who is eligible, how much, the yearly ceiling and who approves. Pure and versioned.

A fund keeps every version of its rules; an application's decision snapshot names the version it used, so a
change of rules never changes a decided amount. Amounts are integer fen; shares are whole percent, rounded down
to the fen (a payment is never more than the rule allows).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vet_common.domain import Invalid
from vet_common.money import Fen, format_yuan
from vet_common.regions import LEVEL_LENGTHS
from vet_contracts import assistance

Level = Literal["province", "city", "county", "township"]
LEVEL_NAMES = assistance.LEVEL_NAMES  # highest first
LEVEL_OF_LENGTH = {length: level for length, level in LEVEL_LENGTHS.items() if level != "village"}


def level_of_jurisdiction(prefix: str) -> str:
    """The level a caller's jurisdiction prefix stands for (a village's staff act for the township)."""
    return LEVEL_OF_LENGTH.get(len(prefix), "township")


class FundKind(StrEnum):
    hardship_aid = "hardship_aid"  # 解三难资金
    care_fund = "care_fund"  # 关爱基金
    temporary_hardship_aid = "temporary_hardship_aid"  # 优抚临时困难救助
    emergency_aid = "emergency_aid"  # 应急救助（重大疾病）
    regular_entitlement = "regular_entitlement"  # 定期抚恤补助、生活补助


FUND_KIND_NAMES = assistance.FUND_KIND_NAMES


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Eligibility(_Rule):
    """Who may receive it. Empty lists admit anyone; the person must be alive and within the fund's region."""

    categories: list[str] = Field(default=[], description="Any of these registry categories (empty: any)")
    key_contact_reasons: list[str] = Field(default=[], description="Any of these key-contact reasons (empty: any)")
    household: Literal["rural", "urban"] | None = Field(default=None, description="rural or urban register only")


class FixedAmount(_Rule):
    """The same amount for every approved application (Zhuhai's 三难 aid: 1,600 yuan)."""

    kind: Literal["fixed"] = "fixed"
    amount_fen: Fen


class ShareOfRemainder(_Rule):
    """A share of what the person still pays after insurance and other aid, once that reaches a threshold
    (重大疾病应急救助: *default* threshold 10,000 yuan, share 80 %, cap per case)."""

    kind: Literal["share_of_remainder"] = "share_of_remainder"
    threshold_fen: Fen = 1_000_000
    share_percent: int = Field(default=80, ge=1, le=100)
    cap_fen: Fen = 5_000_000


class MonthlyAmount(_Rule):
    """A regular entitlement paid each month (农村退役军人生活补助: *default* 200 yuan a month)."""

    kind: Literal["monthly"] = "monthly"
    monthly_fen: Fen = 20_000


class YearlyAmount(_Rule):
    """A regular entitlement paid once a year (按年发放, e.g. 义务兵家庭优待金), in the fund's pay month: each
    enrolment is paid in the pay month of every year it runs through that month (one that starts after this
    year's pay month is first paid the next year, so nobody is paid twice in a year)."""

    kind: Literal["yearly"] = "yearly"
    yearly_fen: Fen
    pay_month: int = Field(ge=1, le=12, description="The month of the year it is paid in (1–12)")


PERIODIC = (MonthlyAmount, YearlyAmount)  # the amount rules of regular entitlements (定期抚恤补助)
AmountRule = Annotated[FixedAmount | ShareOfRemainder | MonthlyAmount | YearlyAmount, Field(discriminator="kind")]


class ApprovalLevel(_Rule):
    level: Level
    from_fen: Fen = Field(default=0, description="This level approves applications of this amount or more")


class Approval(_Rule):
    """Who accepts (受理) and which levels approve (审批), in order: e.g. township accepts, county approves,
    above a threshold the city approves too."""

    accept: Level = "township"
    levels: list[ApprovalLevel] = Field(default=[ApprovalLevel(level="county")], min_length=1)

    def levels_for(self, amount_fen: int) -> list[str]:
        return [step.level for step in self.levels if amount_fen >= step.from_fen]


class Rules(_Rule):
    eligibility: Eligibility = Eligibility()
    amount: AmountRule
    yearly_ceiling_fen: Fen | None = Field(default=None, description="Per person and year, across applications")
    approval: Approval = Approval()

    @model_validator(mode="after")
    def _levels_in_order(self) -> Rules:
        order = list(LEVEL_NAMES)[::-1]  # township, county, city, province
        levels = [step.level for step in self.approval.levels]
        if levels != sorted(levels, key=order.index) or len(set(levels)) != len(levels):
            raise ValueError("审批层级须自下而上且不重复 (approval levels go upwards, each once)")
        if self.approval.levels[0].from_fen != 0:
            raise ValueError(
                "第一级审批须适用于所有金额（from_fen 为 0） (the first approval level applies to every amount)"
            )
        if order.index(self.approval.accept) > order.index(levels[0]):
            raise ValueError("受理层级不能高于第一级审批 (the accepting level cannot be above the first approval)")
        return self

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# Computing an amount -----------------------------------------------------------------------------------------


class Facts(_Rule):
    """What an amount rule needs to know (fen): the medical cost, what insurance paid and other aid received."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    medical_cost_fen: Fen | None = None
    insurance_paid_fen: Fen | None = None
    other_aid_fen: Fen | None = None


class BelowThreshold(Invalid):
    """The remainder the person pays is below the fund's threshold: nothing to pay."""


def compute_amount(
    rule: FixedAmount | ShareOfRemainder | MonthlyAmount | YearlyAmount, facts: Facts
) -> tuple[int, dict[str, int]]:
    """The amount in fen and the figures it came from (kept in the decision snapshot)."""
    if isinstance(rule, FixedAmount):
        return rule.amount_fen, {}
    if isinstance(rule, MonthlyAmount):
        return rule.monthly_fen, {}
    if isinstance(rule, YearlyAmount):
        return rule.yearly_fen, {}
    if facts.medical_cost_fen is None:
        raise Invalid("facts.medical_cost_fen", "请填写医疗总费用（分） (the medical cost, in fen, is needed)")
    insurance, other = facts.insurance_paid_fen or 0, facts.other_aid_fen or 0
    remainder = facts.medical_cost_fen - insurance - other
    if remainder < rule.threshold_fen:
        raise BelowThreshold(
            "facts",
            f"个人自付余额 {format_yuan(max(remainder, 0))} 元未达起付线 {format_yuan(rule.threshold_fen)} 元，"
            f"不符合本资金条件 (the remainder after insurance and other aid is below the threshold)",
        )
    share = remainder * rule.share_percent // 100
    return min(share, rule.cap_fen), {"remainder_fen": remainder, "share_fen": share}


def ineligibility(rules: Rules, categories: list[str], reasons: list[str], household: str | None) -> list[str]:
    """Why a person does not meet the eligibility rule (empty: they do), each reason worded for the station."""
    rule, why = rules.eligibility, []
    if rule.categories and not set(rule.categories) & set(categories):
        why.append(f"人员类别不在本资金范围内（须为 {'、'.join(rule.categories)} 之一） (category not covered)")
    if rule.key_contact_reasons and not set(rule.key_contact_reasons) & set(reasons):
        why.append("不是本资金所列的重点联系对象 (not a key contact for a reason this fund covers)")
    if rule.household and household != rule.household:
        why.append(f"户籍须为{'农村' if rule.household == 'rural' else '城镇'} (household register does not match)")
    return why
