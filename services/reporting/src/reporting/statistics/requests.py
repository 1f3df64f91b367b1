"""Request statistics (诉求台账) from outreach's request events: registered, resolved, closed, reopened and
escalated in a period (each on its own date), open requests by category and those overdue (escalated by the
daily run, 超期督办, until resolved or reopened with a new deadline), days to resolve (from registration, or the
reopening, to the resolution; 平均办理天数), resolved after the deadline, and satisfaction at the follow-up.

Resolutions carry neither when the request was registered nor its deadline: a note per request keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from reporting.statistics.family import Basics, Effect, Flow, Known, Measure, Standing, ratio
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


class RequestsFamily(Basics):
    topic = "requests"
    title = "诉求办理统计"
    event_types = frozenset(event.event_type() for event in outreach.REQUEST_EVENTS)

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        request = envelope["data"]["request_id"]
        return [request, f"since:{request}"]

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        data, region = envelope["data"], envelope["region"]
        request = data["request_id"]
        name, field = FLOWS[envelope["type"]]
        day = date.fromisoformat(data[field])
        flows = [Flow(region, name)]
        notes = {}
        overdue = name != "reopened" and bool((known(request) or {}).get("overdue"))
        if name in ("registered", "reopened"):  # the clock starts (again), with a deadline
            deadline = date.fromisoformat(data["deadline"]).toordinal()
            notes[f"since:{request}"] = {"since": day.toordinal(), "deadline": deadline}
        if name == "registered":
            flows += [Flow(region, f"category.{data['category']}"), Flow(region, f"grade.{data['grade']}")]
        elif name == "resolved" and (since := known(f"since:{request}")):
            flows.append(Flow(region, "days_to_resolve", day.toordinal() - since["since"]))
            flows.append(Flow(region, "resolved_timed"))
            if day.toordinal() > since["deadline"]:
                flows.append(Flow(region, "resolved_late"))
        elif name == "followed_up":
            flows.append(Flow(region, f"satisfaction.{data['satisfaction']}"))
        elif name == "escalated" and data.get("automatic"):
            flows.append(Flow(region, "escalated_overdue"))
            overdue = True
        standing = None
        if data["status"] in OPEN:
            counts = {"open": 1, f"open_category.{data['category']}": 1, **({"overdue": 1} if overdue else {})}
            standing = Standing(region, counts)
        return Effect(day=day, standings={request: standing}, flows=flows, notes=notes)

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
                    ("resolved_late", "超期化解"),
                )
            ),
            Measure("days_to_resolve", "办理天数合计", flow=True, unit="days"),
            Measure("resolved_timed", "计时化解件数", flow=True),
            *(Measure(f"category.{code}", f"登记：{label}", flow=True) for code, label in CATEGORIES.items()),
            *(Measure(f"satisfaction.{code}", f"回访：{label}", flow=True) for code, label in SATISFACTION.items()),
            Measure("open", "在办诉求"),
            Measure("overdue", "超期在办（已督办）"),
            *(Measure(f"open_category.{code}", f"在办：{label}") for code, label in CATEGORIES.items()),
            Measure("satisfaction_rate", "满意率", derived=True),
            Measure("average_days_to_resolve", "平均办理天数", derived=True, unit="days"),
            Measure("on_time_rate", "按期化解率", derived=True),
        ]

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]:
        asked = counts.get("followed_up", 0)
        pleased = counts.get("satisfaction.satisfied", 0) + counts.get("satisfaction.basically_satisfied", 0)
        timed, resolved = counts.get("resolved_timed", 0), counts.get("resolved", 0)
        average = round(counts.get("days_to_resolve", 0) / timed, 1) if timed else None
        return {
            "satisfaction_rate": ratio(pleased, asked),
            "average_days_to_resolve": average,
            "on_time_rate": ratio(resolved - counts.get("resolved_late", 0), resolved),
        }
