"""Fund statistics (资金) from assistance's events: the funds created and their budgets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reporting.statistics.family import Effect, Flow, Known, Measure
from reporting.statistics.periods import event_day
from vet_contracts import assistance


class FundsFamily:
    topic = "funds"
    title = "资金统计"
    event_types = frozenset({assistance.FundCreated.event_type()})

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        return ()

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        data, region = envelope["data"], envelope["region"]
        return Effect(
            day=event_day(envelope["occurred_at"]),
            flows=[Flow(region, "funds"), Flow(region, "budget_fen", data["budget_fen"])],
        )

    def measures(self) -> Sequence[Measure]:
        return [Measure("funds", "资金项目数", flow=True), Measure("budget_fen", "预算（元）", money=True, flow=True)]

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]:
        return {}
