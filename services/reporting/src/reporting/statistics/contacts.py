"""Contact statistics (联系走访) from outreach's ContactRecorded: contacts and home visits by method, in the
period of the day the contact happened (a visit entered late still counts in its own month); and key contacts
reached in a quarter (重点对象联系覆盖率), for which this family follows who is a key contact from the registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from reporting.statistics.family import Effect, Flow, Known, Measure, Standing
from reporting.statistics.people import PERSON_EVENTS
from reporting.statistics.periods import event_day
from vet_contracts import outreach

CONTACT = outreach.ContactRecorded.event_type()
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


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class ContactsFamily:
    topic = "contacts"
    title = "联系走访统计"
    event_types = frozenset({CONTACT, *PERSON_EVENTS})

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        return [f"key:{envelope['data']['person_id']}"] if envelope["type"] == CONTACT else ()

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        data, region = envelope["data"], envelope["region"]
        if envelope["type"] != CONTACT:  # who is a key contact, where: the denominator of the coverage
            key = data["status"] == "active" and bool(data["key_contact_reasons"])
            return Effect(
                day=event_day(envelope["occurred_at"]),
                standings={f"key:{data['person_id']}": Standing(region, {"key_contacts": 1}) if key else None},
            )
        day = date.fromisoformat(data["contacted_on"])
        flows = [Flow(region, "contacts"), Flow(region, f"method.{data['method']}")]
        if data["method"] == "home_visit":
            flows.append(Flow(region, "home_visits"))
        if data.get("needs_follow_up"):
            flows.append(Flow(region, "needing_follow_up"))
        # Each person once a quarter, however often contacted: counted on the quarter's first day.
        reached = {"people_reached": 1}
        if known(f"key:{data['person_id']}"):
            reached["key_contacts_reached"] = 1
        quarter = quarter_start(day)
        standing = Standing(region, reached, day=quarter)
        return Effect(day=day, standings={f"reach:{data['person_id']}:{quarter.isoformat()}": standing}, flows=flows)

    def measures(self) -> Sequence[Measure]:
        return [
            Measure("contacts", "联系人次", flow=True),
            Measure("home_visits", "入户走访", flow=True),
            Measure("needing_follow_up", "需跟进", flow=True),
            *(Measure(f"method.{code}", label, flow=True) for code, label in METHODS.items()),
            Measure("people_reached", "联系人数（按季度）", flow=True),
            Measure("key_contacts", "重点联系对象"),
            Measure("key_contacts_reached", "已联系重点对象（按季度）", flow=True),
            Measure("key_contact_coverage", "重点对象联系覆盖率", derived=True),
        ]

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]:
        key_contacts = counts.get("key_contacts", 0)
        reached = counts.get("key_contacts_reached", 0)
        return {"key_contact_coverage": round(reached / key_contacts, 4) if key_contacts else None}
