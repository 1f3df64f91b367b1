"""Request statistics (诉求台账) from outreach's request events: registered, resolved, closed, reopened and
escalated in a period (each on its own date), open requests by category, and satisfaction at the follow-up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from reporting.statistics.family import Effect, Flow, Known, Measure, Standing
from vet_contracts import outreach

CATEGORIES = outreach.REQUEST_CATEGORY_NAMES
SATISFACTION = outreach.SATISFACTION_NAMES
# Event type -> (the flow it counts, the field holding its date).
FLOWS = {
    "RequestRegistered": ("registered", "registered_on"),
    "RequestAccepted": ("accepted", "accepted_on"),
    "RequestResolved": ("resolved", "resolved_on"),
    "RequestFollowedUp": ("followed_up", "followed_up_on"),
    "RequestClosed": ("closed", "closed_on"),
    "RequestReopened": ("reopened", "reopened_on"),
    "RequestEscalated": ("escalated", "escalated_on"),
}
OPEN = frozenset({"registered", "accepted", "in_progress"})


class RequestsFamily:
    topic = "requests"
    title = "诉求办理统计"
    event_types = frozenset(event.event_type() for event in outreach.REQUEST_EVENTS)

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        return ()

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        data, region = envelope["data"], envelope["region"]
        name, field = FLOWS[envelope["type"]]
        flows = [Flow(region, name)]
        if name == "registered":
            flows += [Flow(region, f"category.{data['category']}"), Flow(region, f"grade.{data['grade']}")]
        elif name == "followed_up":
            flows.append(Flow(region, f"satisfaction.{data['satisfaction']}"))
        elif name == "escalated" and data.get("automatic"):
            flows.append(Flow(region, "escalated_overdue"))
        is_open = data["status"] in OPEN
        standing = Standing(region, {"open": 1, f"open_category.{data['category']}": 1}) if is_open else None
        return Effect(day=date.fromisoformat(data[field]), standings={data["request_id"]: standing}, flows=flows)

    def measures(self) -> Sequence[Measure]:
        return [
            *(
                Measure(name, label, flow=True)
                for name, label in (
                    ("registered", "登记诉求"),
                    ("accepted", "受理"),
                    ("resolved", "化解"),
                    ("followed_up", "回访"),
                    ("closed", "办结"),
                    ("reopened", "重新办理"),
                    ("escalated", "督办"),
                    ("escalated_overdue", "超期督办"),
                )
            ),
            *(Measure(f"category.{code}", f"登记：{label}", flow=True) for code, label in CATEGORIES.items()),
            *(Measure(f"satisfaction.{code}", f"回访：{label}", flow=True) for code, label in SATISFACTION.items()),
            Measure("open", "在办诉求"),
            *(Measure(f"open_category.{code}", f"在办：{label}") for code, label in CATEGORIES.items()),
            Measure("satisfaction_rate", "满意率", derived=True),
        ]

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]:
        asked = counts.get("followed_up", 0)
        pleased = counts.get("satisfaction.satisfied", 0) + counts.get("satisfaction.basically_satisfied", 0)
        return {"satisfaction_rate": round(pleased / asked, 4) if asked else None}
