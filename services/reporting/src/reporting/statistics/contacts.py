"""Contact statistics (联系走访) from outreach's ContactRecorded: contacts and home visits by method, in the
period of the day the contact happened (a visit entered late still counts in its own month)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from reporting.statistics.family import Effect, Flow, Measure
from vet_contracts import outreach

METHODS = {
    "home_visit": "入户走访",
    "phone": "电话联系",
    "video": "视频联系",
    "wechat": "微信联系",
    "sms": "短信联系",
    "meeting": "座谈会",
    "group_activity": "集体活动",
    "medical_round": "巡诊",
}


class ContactsFamily:
    topic = "contacts"
    title = "联系走访统计"
    event_types = frozenset({outreach.ContactRecorded.event_type()})

    def effect(self, envelope: Mapping[str, Any]) -> Effect | None:
        data, region = envelope["data"], envelope["region"]
        flows = [Flow(region, "contacts"), Flow(region, f"method.{data['method']}")]
        if data["method"] == "home_visit":
            flows.append(Flow(region, "home_visits"))
        if data.get("needs_follow_up"):
            flows.append(Flow(region, "needing_follow_up"))
        return Effect(day=date.fromisoformat(data["contacted_on"]), flows=flows)

    def measures(self) -> Sequence[Measure]:
        return [
            Measure("contacts", "联系人次", flow=True),
            Measure("home_visits", "入户走访", flow=True),
            Measure("needing_follow_up", "需跟进", flow=True),
            *(Measure(f"method.{code}", label, flow=True) for code, label in METHODS.items()),
        ]

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]:
        return {}
