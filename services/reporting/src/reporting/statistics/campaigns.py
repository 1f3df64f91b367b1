"""Campaign statistics (走访慰问活动) from outreach's events; with ?campaign=, one campaign's progress and summary
table (情况汇总表) per region: its targets where they live (from the frozen list's counts per county), the people
its contacts reached in person or remotely and how often, and what each county reported in its summary table
(people visited per target group, money and goods handed out, problems found and solved, submitted, late,
approved or returned). A city's figures are its counties' summed: the roll-up the level above receives.

A campaign contact's withdrawal or correction does not repeat the campaign: a note per contact keeps it (the
campaign id as the note's key), and a note per person and campaign how many contacts reach them in person and
remotely, so that withdrawing one of two leaves the person reached.

Meetings (座谈会, which the Lishui notice asks every county to hold): a group entry of method "meeting" is one
meeting however many attend, counted in the county of those attending (a note per meeting and county keeps how
many of its contacts stand there, so withdrawing one attendee leaves the meeting held); its contacts are the
attendances (人次).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reporting.statistics.contacts import CONTACT_EVENTS, CORRECTED, WITHDRAWN
from reporting.statistics.family import Basics, Effect, Flow, Known, Measure, Standing, ratio
from reporting.statistics.people import KEY_CONTACT_REASONS
from reporting.statistics.periods import event_day
from vet_contracts import outreach, registry

SUMMARY_EVENTS = frozenset(event.event_type() for event in outreach.CAMPAIGN_EVENTS[2:])
REMOTE_METHODS = frozenset({"phone", "video", "wechat", "sms"})
GROUP_NAMES = {**registry.CATEGORY_NAMES, **KEY_CONTACT_REASONS}
STATUSES = {"submitted": "待审核", "approved": "已审核", "returned": "已退回"}
CAMPAIGN = "campaign:"  # a contact's note names its campaign in a key: notes hold numbers only
MEETING = "meeting:"  # ... and the meeting (group entry) it attended, the county as the value
COUNTY = 6


class CampaignsFamily(Basics):
    topic = "campaigns"
    title = "走访慰问活动统计"
    event_types = frozenset({*(event.event_type() for event in outreach.CAMPAIGN_EVENTS), *CONTACT_EVENTS})
    part_name: str | None = "campaign"
    chained = frozenset({CORRECTED, WITHDRAWN})  # their campaign's subjects: on the contact's note

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        data = envelope["data"]
        if envelope["type"] in CONTACT_EVENTS:
            return [f"note:{data['contact_id']}"]
        if envelope["type"] in SUMMARY_EVENTS:
            return [f"summary:{data['campaign_id']}:{data['county']}"]
        return ()

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        data, region, kind = envelope["data"], envelope["region"], envelope["type"]
        day = event_day(envelope["occurred_at"])
        if kind in CONTACT_EVENTS:
            return self._contact(envelope, known)
        campaign = data["campaign_id"]
        if kind == "CampaignLaunched":
            flows = [Flow(region, "campaigns"), Flow(region, "launched", part=campaign)]
            flows.append(Flow(region, f"occasion.{data['occasion']}", part=campaign))  # the table's title
            return Effect(day=day, flows=flows)
        if kind == "TargetListFrozen":
            standings: dict[str, Standing | None] = {
                f"targets:{campaign}:{county}": Standing(county, {"targets": count}, part=campaign)
                for county, count in data["by_county"].items()
            }
            return Effect(day=day, standings=standings, flows=[Flow(region, "targets", data["targets"])])
        subject = f"summary:{campaign}:{data['county']}"
        if kind == "CampaignSummarySubmitted":
            counts = _reported(data)
        else:  # reviewed: the table as submitted, with its new status
            counts = {k: v for k, v in (known(subject) or {}).items() if not k.startswith("status.")}
            counts["status.approved" if kind == "CampaignSummaryApproved" else "status.returned"] = 1
        return Effect(day=day, standings={subject: Standing(data["county"], counts, part=campaign)})

    def _contact(self, envelope: Mapping[str, Any], known: Known) -> Effect | None:
        data, region = envelope["data"], envelope["region"]
        contact, person = data["contact_id"], data["person_id"]
        before = known(f"note:{contact}")
        campaign = data.get("campaign_id") or next(
            (key.removeprefix(CAMPAIGN) for key in before or {} if key.startswith(CAMPAIGN)), None
        )
        if campaign is None:
            return None  # not a campaign's contact
        after = None if envelope["type"] == WITHDRAWN else {CAMPAIGN + campaign: 1, "remote": _remote(data)}
        if after is not None and data.get("method") == "meeting" and data.get("group_id"):
            after[MEETING + data["group_id"]] = int(region[:COUNTY])  # a region code is digits
        reach_key = f"reach:{campaign}:{person}"
        reach = dict(known(reach_key) or {"in_person": 0, "remote": 0})
        for note, sign in ((before, -1), (after, 1)):
            if note:
                reach["remote" if note["remote"] else "in_person"] += sign
        standing = None
        if reach["in_person"] or reach["remote"]:
            how = "in_person" if reach["in_person"] else "remote"
            standing = Standing(region, {"reached": 1, how: 1}, part=campaign)
        standings: dict[str, Standing | None] = {
            f"reached:{campaign}:{person}": standing,
            f"contact:{contact}": Standing(region, _attended(after), part=campaign) if after else None,
        }
        notes: dict[str, Mapping[str, int] | None] = {f"note:{contact}": after, reach_key: reach}
        for meeting, delta in _meetings(before, after).items():
            group, county = meeting
            count_key = f"{MEETING}{campaign}:{group}:{county}"
            count = (known(count_key) or {}).get("contacts", 0) + delta
            notes[count_key] = {"contacts": count} if count > 0 else None
            held = Standing(str(county), {"meetings": 1}, part=campaign)
            standings[f"held:{campaign}:{group}:{county}"] = held if count > 0 else None
        return Effect(day=event_day(envelope["occurred_at"]), standings=standings, notes=notes)

    def measures(self) -> Sequence[Measure]:
        return [
            Measure("campaigns", "活动数", flow=True, whole_only=True),
            Measure("targets", "走访对象数"),
            Measure("reached", "已走访人数"),
            Measure("in_person", "其中：上门或当面走访"),
            Measure("remote", "其中：电话、视频、微信、短信"),
            Measure("unreached", "尚未走访", derived=True, unit="count"),
            Measure("coverage", "走访率", derived=True),
            Measure("visits", "走访人次"),
            Measure("meetings", "召开座谈会（场）"),
            Measure("meeting_attendances", "参加座谈会人次"),
            Measure("reported_visited", "上报走访人数（各对象组合计）"),
            Measure("money_fen", "发放慰问金（元）", money=True),
            Measure("goods_fen", "慰问品折合（元）", money=True),
            Measure("problems_found", "发现困难问题"),
            Measure("problems_solved", "解决困难问题"),
            Measure("solved_rate", "问题解决率", derived=True),
            # Counts of counties' tables, not of people: never suppressed.
            Measure("reported", "已报送汇总表", unit="tables"),
            *(Measure(f"status.{code}", f"汇总表{label}", unit="tables") for code, label in STATUSES.items()),
            Measure("late", "逾期报送", unit="tables"),
        ]

    def open_measures(self, keys: Iterable[str]) -> Sequence[Measure]:
        """A column per target group the counties reported on (the campaign's own group codes)."""
        groups = sorted({key.removeprefix("group.") for key in keys if key.startswith("group.")})
        return [Measure(f"group.{code}", f"上报走访：{GROUP_NAMES.get(code, code)}") for code in groups]

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]:
        targets, reached = counts.get("targets", 0), counts.get("reached", 0)
        return {
            "unreached": max(targets - reached, 0),
            "coverage": ratio(reached, targets),
            "solved_rate": ratio(counts.get("problems_solved", 0), counts.get("problems_found", 0)),
        }


def _attended(note: Mapping[str, int]) -> dict[str, int]:
    """A campaign contact: a visit, and an attendance when it was a meeting's."""
    if any(key.startswith(MEETING) for key in note):
        return {"visits": 1, "meeting_attendances": 1}
    return {"visits": 1}


def _meetings(before: Mapping[str, int] | None, after: Mapping[str, int] | None) -> dict[tuple[str, int], int]:
    """How a contact's withdrawal or correction changes the contacts each (meeting, county) holds."""
    change: dict[tuple[str, int], int] = {}
    for note, sign in ((before, -1), (after, 1)):
        for key, county in (note or {}).items():
            if key.startswith(MEETING):
                meeting = (key.removeprefix(MEETING), county)
                change[meeting] = change.get(meeting, 0) + sign
    return {meeting: delta for meeting, delta in change.items() if delta}


def _remote(data: Mapping[str, Any]) -> int:
    return int(data["method"] in REMOTE_METHODS)


def _reported(data: Mapping[str, Any]) -> dict[str, int]:
    """A county's table as submitted: what the county says, beside what the platform counted."""
    counts = {
        "reported": 1,
        "status.submitted": 1,
        "reported_visited": sum(data["visited_by_group"].values()),
        "money_fen": data["money_fen"],
        "goods_fen": data["goods_fen"],
        "problems_found": data["problems_found"],
        "problems_solved": data["problems_solved"],
        **{f"group.{code}": count for code, count in data["visited_by_group"].items()},
    }
    if data["late"]:
        counts["late"] = 1
    return counts
