"""Contact statistics (联系走访) from outreach's contact events: contacts and home visits by method, in the
period of the day the contact happened (a visit entered late still counts in its own month, a correction moves
it, a withdrawal takes it out); key contacts reached in a quarter (重点对象联系覆盖率) and visited at home in a
year, and those not (逾期未联系), for which this family follows who is a key contact from the registry.

Each person counts once a quarter (and once a year for home visits) however often contacted: a note per person
and quarter keeps how many contacts reach them, so withdrawing one of two leaves them reached.

A person reached counts as a key contact reached when they are a key contact at the end of that quarter (year),
as the denominator counts them. Contacts and the registry's events come on different topics, so either may
arrive first: a note per person keeps their latest spell as a key contact (`spell:`) and one the quarters and
years they were reached in (`reach:`), so the registry's event re-judges the quarters it touches and a contact
judges its quarter by the spell, whichever came first. (Only the latest spell: a contact arriving after a
second change of someone's key status, for a quarter before the first, is judged by the latest.)
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
    # Their quarter's subjects are on the contact's note; a person event's, on the person's reach note.
    chained = frozenset({CORRECTED, WITHDRAWN, *PERSON_EVENTS})

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        data = envelope["data"]
        person = data["person_id"]
        if envelope["type"] not in CONTACT_EVENTS:
            return [f"key:{person}", f"spell:{person}", f"reach:{person}"]
        return [f"key:{person}", f"spell:{person}", f"reach:{person}", f"note:{data['contact_id']}"]

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        if envelope["type"] not in CONTACT_EVENTS:
            return _key_status(envelope, known)
        data, region = envelope["data"], envelope["region"]
        person, contact = data["person_id"], data["contact_id"]
        before = known(f"note:{contact}")
        after = None if envelope["type"] == WITHDRAWN else _note(data)
        standings: dict[str, Standing | None] = {
            f"contact:{contact}": None if after is None else _contact_standing(data, region)
        }
        notes: dict[str, Mapping[str, int] | None] = {f"note:{contact}": after}
        spell = _spell(known, person)
        reach = dict(known(f"reach:{person}") or {})
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
                is_key = _key_at(spell, _last_day(kind, ordinal))
                standings[f"reached:{count_key}"] = (
                    Standing(region, _reached(kind, is_key), day=date.fromordinal(ordinal)) if count > 0 else None
                )
                if count > 0:
                    reach[f"{kind}:{ordinal}"] = int(region)  # a region code is digits: a note holds numbers
                else:
                    reach.pop(f"{kind}:{ordinal}", None)
        notes[f"reach:{person}"] = reach or None
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


def _key_status(envelope: Mapping[str, Any], known: Known) -> Effect:
    """Who is a key contact, where (the denominator of the coverage); when that changes, the person's spell
    and the quarters (years) they were reached in that end on or after the change, judged again."""
    data, region = envelope["data"], envelope["region"]
    person, day = data["person_id"], event_day(envelope["occurred_at"])
    key = data["status"] == "active" and bool(data["key_contact_reasons"])
    standings: dict[str, Standing | None] = {f"key:{person}": Standing(region, {"key_contacts": 1}) if key else None}
    notes: dict[str, Mapping[str, int] | None] = {}
    if key != bool(known(f"key:{person}")):
        spell = dict(_spell(known, person) or {})
        if key:
            spell = {"since": day.toordinal()}
        else:
            spell["until"] = day.toordinal()
        notes[f"spell:{person}"] = spell
        for name, reached_in in (known(f"reach:{person}") or {}).items():
            kind, ordinal = name.split(":")
            if _last_day(kind, int(ordinal)) >= day:
                standings[f"reached:{kind}:{person}:{ordinal}"] = Standing(
                    str(reached_in), _reached(kind, key), day=date.fromordinal(int(ordinal))
                )
    return Effect(day=day, standings=standings, notes=notes)


def _spell(known: Known, person: str) -> Mapping[str, int] | None:
    """The person's latest spell as a key contact ({since[, until]} as day ordinals); a key contact counted
    before spells were kept is one since ever."""
    spell = known(f"spell:{person}")
    if spell is None and known(f"key:{person}"):
        return {"since": 1}
    return spell


def _key_at(spell: Mapping[str, int] | None, day: date) -> bool:
    if not spell:
        return False
    ordinal = day.toordinal()
    return spell["since"] <= ordinal and ("until" not in spell or spell["until"] > ordinal)


def _last_day(kind: str, first: int) -> date:
    """The last day of the quarter (year) starting on day ordinal `first`."""
    start = date.fromordinal(first)
    if kind == "year":
        return date(start.year, 12, 31)
    following = date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)
    return date.fromordinal(following.toordinal() - 1)


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
