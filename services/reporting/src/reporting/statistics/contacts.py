"""Contact statistics (联系走访) from outreach's contact events: contacts and home visits by method, in the
period of the day the contact happened (a visit entered late still counts in its own month, a correction moves
it, a withdrawal takes it out); key contacts reached in a quarter (重点对象联系覆盖率) and visited at home in a
year, and those not (逾期未联系), for which this family follows who is a key contact from the registry.

Each person counts once a quarter (and once a year for home visits) however often contacted: a note per person
and quarter keeps how many contacts reach them, so withdrawing one of two leaves them reached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from reporting.statistics.family import Basics, Effect, Known, Measure, Standing, ratio
from reporting.statistics.people import PERSON_EVENTS
from reporting.statistics.periods import event_day
from vet_contracts import outreach

CONTACT = outreach.ContactRecorded.event_type()
CORRECTED = outreach.ContactCorrected.event_type()
WITHDRAWN = outreach.ContactWithdrawn.event_type()
CONTACT_EVENTS = frozenset({CONTACT, CORRECTED, WITHDRAWN})
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


class ContactsFamily(Basics):
    topic = "contacts"
    title = "联系走访统计"
    event_types = frozenset({*CONTACT_EVENTS, *PERSON_EVENTS})
    chained = frozenset({CORRECTED, WITHDRAWN})  # their quarter's subjects: on the contact's note

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        if envelope["type"] not in CONTACT_EVENTS:
            return ()
        data = envelope["data"]
        return [f"key:{data['person_id']}", f"note:{data['contact_id']}"]

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        data, region = envelope["data"], envelope["region"]
        if envelope["type"] not in CONTACT_EVENTS:  # who is a key contact, where: the denominator of the coverage
            key = data["status"] == "active" and bool(data["key_contact_reasons"])
            return Effect(
                day=event_day(envelope["occurred_at"]),
                standings={f"key:{data['person_id']}": Standing(region, {"key_contacts": 1}) if key else None},
            )
        person, contact = data["person_id"], data["contact_id"]
        before = known(f"note:{contact}")
        after = None if envelope["type"] == WITHDRAWN else _note(data)
        standings: dict[str, Standing | None] = {
            f"contact:{contact}": None if after is None else _contact_standing(data, region)
        }
        notes: dict[str, Mapping[str, int] | None] = {f"note:{contact}": after}
        is_key = bool(known(f"key:{person}"))
        for kind in ("quarter", "year"):  # the quarter's contacts; the year's home visits
            change: dict[int, int] = {}
            for note, sign in ((before, -1), (after, 1)):
                if note and (kind == "quarter" or note.get("home")):
                    change[note[kind]] = change.get(note[kind], 0) + sign
            for ordinal, delta in change.items():
                if not delta:
                    continue
                count_key = f"{kind}:{person}:{ordinal}"
                count = ((known(count_key) or {}).get("contacts", 0)) + delta
                notes[count_key] = {"contacts": count} if count > 0 else None
                standings[f"reached:{count_key}"] = (
                    Standing(region, _reached(kind, is_key), day=date.fromordinal(ordinal)) if count > 0 else None
                )
        return Effect(day=event_day(envelope["occurred_at"]), standings=standings, notes=notes)

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
            Measure("key_contacts_unreached", "逾期未联系重点对象（按季度）", derived=True, unit="count"),
            Measure("people_visited", "入户走访人数（按年度）", flow=True),
            Measure("key_contacts_visited", "已入户走访重点对象（按年度）", flow=True),
            Measure("key_contact_visit_coverage", "重点对象入户走访覆盖率", derived=True),
            Measure("key_contacts_unvisited", "逾期未入户走访重点对象（按年度）", derived=True, unit="count"),
        ]

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]:
        """Overdue (逾期) under the default rule: a key contact not reached in the quarter, not visited at home
        in the year. Meaningful for a quarter's (a year's) figures; a key contact reached counts as reached."""
        key_contacts = counts.get("key_contacts", 0)
        reached, visited = counts.get("key_contacts_reached", 0), counts.get("key_contacts_visited", 0)
        return {
            "key_contact_coverage": ratio(reached, key_contacts),
            "key_contacts_unreached": max(key_contacts - reached, 0),
            "key_contact_visit_coverage": ratio(visited, key_contacts),
            "key_contacts_unvisited": max(key_contacts - visited, 0),
        }


def _note(data: Mapping[str, Any]) -> dict[str, int]:
    """What a contact's withdrawal or correction needs of it later: its quarter, its year, a home visit."""
    day = date.fromisoformat(data["contacted_on"])
    return {
        "quarter": quarter_start(day).toordinal(),
        "year": date(day.year, 1, 1).toordinal(),
        "home": int(data["method"] == "home_visit"),
    }


def _contact_standing(data: Mapping[str, Any], region: str) -> Standing:
    counts = {"contacts": 1, f"method.{data['method']}": 1}
    if data["method"] == "home_visit":
        counts["home_visits"] = 1
    if data.get("needs_follow_up"):
        counts["needing_follow_up"] = 1
    return Standing(region, counts, day=date.fromisoformat(data["contacted_on"]))


def _reached(kind: str, is_key: bool) -> dict[str, int]:
    """A person reached in the quarter (visited at home in the year), and whether as a key contact."""
    if kind == "quarter":
        return {"people_reached": 1, **({"key_contacts_reached": 1} if is_key else {})}
    return {"people_visited": 1, **({"key_contacts_visited": 1} if is_key else {})}
