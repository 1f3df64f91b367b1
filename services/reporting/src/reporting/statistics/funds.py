"""Fund statistics (资金) from assistance's events: funds and budgets; applications accepted, approved and
disbursed with their amounts, per fund kind (解三难资金, 关爱基金 ...) and, with ?fund=, for one fund; person-times
paid (人次); regular entitlements enrolled and the payrolls released (发放总额).

Applications count where the person's application is (its region); funds, budgets and payrolls where the fund
is, except a payroll's lines and amount, which count in the counties of the people paid (its `by_county`; a
payroll released before payrolls carried it counts where the fund is). Amounts are fen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reporting.statistics.family import Basics, Effect, Flow, Known, Measure, Standing, ratio
from reporting.statistics.periods import event_day
from vet_contracts import assistance

KINDS = assistance.FUND_KIND_NAMES
# Event type -> the count it adds and the amount field added as "<count>_fen".
APPLICATION_FLOWS = {
    "ApplicationSubmitted": ("submitted", None),
    "ApplicationAccepted": ("accepted", "amount_fen"),
    "ApplicationReturned": ("returned", None),
    "ApplicationDenied": ("denied", None),
    "ApplicationDisbursed": ("disbursed", "amount_fen"),
    "ApplicationSuspended": ("suspended", None),
}
FLOW_LABELS = {
    "funds": "资金项目数",
    "budget_fen": "预算（元）",
    "submitted": "申请件数",
    "accepted": "受理件数",
    "accepted_fen": "受理金额（元）",
    "returned": "退回补正",
    "approved": "审批通过件数",
    "approved_fen": "审批金额（元）",
    "denied": "不予批准",
    "disbursed": "拨付人次",
    "disbursed_fen": "拨付金额（元）",
    "suspended": "中止（去世）",
}
BY_KIND = ("approved", "disbursed")  # what is shown per fund kind
ENROLMENTS = frozenset({"EnrolmentStarted", "EnrolmentConfirmed", "EnrolmentEnded"})


class FundsFamily(Basics):
    topic = "funds"
    title = "资金统计"
    event_types = frozenset(event.event_type() for event in assistance.EVENTS)
    part_name: str | None = "fund"

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        data, region, kind = envelope["data"], envelope["region"], envelope["type"]
        fund = data["fund_id"]
        counted: list[tuple[str, int]] = []  # (key, amount), in the whole topic and in the fund's part
        if kind == "FundCreated":
            counted += [("funds", 1), ("budget_fen", data["budget_fen"])]
        elif kind == "FundBudgetChanged":
            counted.append(("budget_fen", data["change_fen"]))
        elif kind == "PayrollReleased":
            counted.append(("payrolls", 1))
            if not data.get("by_county"):  # released before payrolls said where their people live
                counted += [("payroll_lines", data["lines"]), ("payroll_fen", data["total_fen"])]
        elif kind == "ApplicationApproved" and data["final"]:
            counted += [("approved", 1), ("approved_fen", data["amount_fen"])]
        elif kind in APPLICATION_FLOWS:
            name, amount = APPLICATION_FLOWS[kind]
            counted += [(name, 1), *([(f"{name}_fen", data[amount])] if amount else [])]
        placed = [(region, key, amount) for key, amount in counted]
        if kind == "PayrollReleased":
            placed += payroll_shares(data.get("by_county") or {})
        flows = [Flow(where, key, amount) for where, key, amount in placed]
        flows += [Flow(where, key, amount, part=fund) for where, key, amount in placed]
        fund_kind = data.get("fund_kind")
        flows += [
            Flow(region, f"kind.{fund_kind}.{key}", amount)
            for key, amount in counted
            if fund_kind and key.removesuffix("_fen") in BY_KIND
        ]
        standings: dict[str, Standing | None] = {}
        if kind in ENROLMENTS:
            enrolment = data["enrolment_id"]
            counts = _enrolment(data, kind)
            standings[enrolment] = Standing(region, counts) if counts else None
            standings[f"{enrolment}|fund"] = Standing(region, counts, part=fund) if counts else None
        return Effect(day=event_day(envelope["occurred_at"]), standings=standings, flows=flows)

    def measures(self) -> Sequence[Measure]:
        return [
            *(Measure(key, label, money=key.endswith("_fen"), flow=True) for key, label in FLOW_LABELS.items()),
            *(
                Measure(
                    f"kind.{code}.{key}",
                    f"{name}：{FLOW_LABELS[key]}",
                    money=key.endswith("_fen"),
                    flow=True,
                    whole_only=True,
                )
                for code, name in KINDS.items()
                for key in ("approved", "approved_fen", "disbursed", "disbursed_fen")
            ),
            Measure("enrolled", "定期发放在册人数"),
            Measure("monthly_fen", "定期发放月额（元）", money=True),
            Measure("yearly_fen", "按年发放年额（元）", money=True),
            Measure("proposed", "待确认发放"),
            Measure("payrolls", "发放批次", flow=True),
            Measure("payroll_lines", "定期发放人次", flow=True),
            Measure("payroll_fen", "定期发放金额（元）", money=True, flow=True),
            Measure("person_times", "资助人次合计", derived=True, unit="count"),
            Measure("paid_fen", "发放金额合计（元）", money=True, derived=True),
            Measure("budget_execution", "预算执行率", derived=True),
        ]

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]:
        paid = counts.get("disbursed_fen", 0) + counts.get("payroll_fen", 0)
        return {
            "person_times": counts.get("disbursed", 0) + counts.get("payroll_lines", 0),
            "paid_fen": paid,
            "budget_execution": ratio(paid, counts.get("budget_fen", 0)),
        }


def payroll_shares(by_county: Mapping[str, Mapping[str, int]]) -> list[tuple[str, str, int]]:
    """A payroll's lines and amount where its people live (a province fund's payroll counts in each county)."""
    placed = []
    for county, share in by_county.items():
        placed += [(county, "payroll_lines", share["lines"]), (county, "payroll_fen", share["total_fen"])]
    return placed


def _enrolment(data: Mapping[str, Any], kind: str) -> dict[str, int]:
    if kind == "EnrolmentEnded":
        return {}
    if data["status"] == "active":
        counts = {"enrolled": 1, "monthly_fen": data["monthly_fen"]}
        if data.get("yearly_fen"):
            counts["yearly_fen"] = data["yearly_fen"]
        return counts
    return {"proposed": 1}
