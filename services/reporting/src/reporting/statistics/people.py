"""People statistics (人员统计) from the registry's events: who is on record by category, key-contact reason,
disability level, household register and status, and what happened (registered, died, moved, confirmed).

Every registry person event carries the person's facts after the change, so the standing is the event alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reporting.statistics.family import Basics, Effect, Flow, Known, Measure, Standing
from reporting.statistics.periods import event_day
from vet_contracts import registry

CATEGORIES = registry.CATEGORY_NAMES
KEY_CONTACT_REASONS = {
    "aged_80_or_over": "80岁以上高龄",
    "severely_disabled": "伤残1–6级",
    "martyr_survivor": "烈士遗属",
    "meritorious": "二等功以上",
    "meritorious_model": "功臣模范",
    "extremely_poor": "特困",
    "unemployed": "下岗失业",
    "living_in_difficulty": "生活困难",
    "widowed_orphaned_alone": "鳏寡孤独",
    "other": "其他",
}
HOUSEHOLDS = {"rural": "农村户籍", "urban": "城镇户籍"}
STATUSES = {"active": "在册", "deceased": "已故", "merged": "已合并"}
FLOWS = {
    "registered": "新建档",
    "died": "去世",
    "transferred_in": "迁入",
    "transferred_out": "迁出",
    "key_contacts_designated": "新增重点联系对象",
    "annual_confirmations": "年度确认",
    "certificates_issued": "发放证件",
}
PERSON_EVENTS = frozenset(event.event_type() for event in registry.EVENTS) - {"EligibilityAlertRaised"}


def standing(data: Mapping[str, Any], region: str) -> Standing:
    """An active person counts under every dimension; one deceased or merged only under status."""
    counts = {f"status.{data['status']}": 1}
    if data["status"] == "active":
        counts["people"] = 1
        counts.update({f"category.{code}": 1 for code in data["categories"]})
        counts.update({f"key_contact.{code}": 1 for code in data["key_contact_reasons"]})
        if data["key_contact_reasons"]:
            counts["key_contacts"] = 1
        if data.get("disability_level"):
            counts[f"disability.{data['disability_level']}"] = 1
        if data.get("household"):
            counts[f"household.{data['household']}"] = 1
    return Standing(region, counts)


class PeopleFamily(Basics):
    topic = "people"
    title = "人员统计"
    event_types = PERSON_EVENTS

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        data, region, kind = envelope["data"], envelope["region"], envelope["type"]
        flows: list[Flow] = []
        if kind == "PersonRegistered":
            flows.append(Flow(region, "registered"))
        elif kind == "PersonDied":
            flows.append(Flow(region, "died"))
        elif kind == "PersonTransferred":
            flows += [Flow(data["to_region"], "transferred_in"), Flow(data["from_region"], "transferred_out")]
        elif kind == "KeyContactDesignated":
            flows.append(Flow(region, "key_contacts_designated"))
        elif kind == "AnnualConfirmationRecorded":
            flows.append(Flow(region, "annual_confirmations"))
        elif kind == "CertificateIssued":
            flows.append(Flow(region, "certificates_issued"))
        return Effect(
            day=event_day(envelope["occurred_at"]),
            standings={envelope["aggregate_id"]: standing(data, region)},
            flows=flows,
        )

    def measures(self) -> Sequence[Measure]:
        return [
            Measure("people", "在册人数"),
            Measure("key_contacts", "重点联系对象"),
            *(Measure(f"category.{code}", f"类别：{label}") for code, label in CATEGORIES.items()),
            *(Measure(f"key_contact.{code}", f"重点联系：{label}") for code, label in KEY_CONTACT_REASONS.items()),
            *(Measure(f"disability.{level}", f"伤残{level}级") for level in range(1, 11)),
            *(Measure(f"household.{code}", label) for code, label in HOUSEHOLDS.items()),
            *(Measure(f"status.{code}", f"状态：{label}") for code, label in STATUSES.items()),
            *(Measure(code, label, flow=True) for code, label in FLOWS.items()),
        ]
