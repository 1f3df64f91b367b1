"""Read models of campaigns: each campaign, its frozen targets, progress counters per region, county tables.

Progress is counted by the projector into one document per campaign and region prefix (province, city, county,
township, village), so a region's progress is one lookup and its sub-regions' an equality on `parent`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.campaigns import (
    DECEASED,
    MOVED_AWAY,
    NOT_REACHED,
    Campaign,
    CampaignTarget,
    Target,
    TargetGroup,
)
from outreach.domain.summaries import APPROVED, MISSING, RETURNED, SUBMITTED, CountySummary
from outreach.projections.targeting import BY_FACET, FACETS, facets_of, people_in
from vet_common.jurisdiction import JURISDICTIONS, region_keys
from vet_common.projector import ReadModelBatch
from vet_common.regions import level_of, parent_of

log = logging.getLogger(__name__)
PROGRESS = "campaign_progress"
FIGURES = ("money_fen", "goods_fen", "problems_found", "problems_solved")
# The people read model's fields a target rule looks at.
RULE_FIELDS = (
    "person_id",
    "region",
    "categories",
    "key_contact_reasons",
    "disability_level",
    "household",
    "birth_year",
)


class CampaignsProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.campaigns.create_index([(JURISDICTIONS, 1), ("visits_due", -1)])
        await db.campaigns.create_index([("region", 1)])  # the campaigns of the regions above one (campaigns_of)
        await db.campaign_targets.create_index([("campaign_id", 1), (JURISDICTIONS, 1), ("reach", 1), ("person_id", 1)])
        await db[PROGRESS].create_index([("campaign_id", 1), ("parent", 1)])
        await db[PROGRESS].create_index([("campaign_id", 1), ("level", 1), (JURISDICTIONS, 1)])
        await db.campaign_summaries.create_index([("campaign_id", 1), (JURISDICTIONS, 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, Campaign.Planned | Campaign.Launched | Campaign.TargetListFrozen):
            batch.put("campaigns", str(event.originator_id), event.originator_version, _campaign_fields(event))
        elif isinstance(event, CampaignTarget.Frozen):
            fields = {"campaign_id": event.campaign_id, "person_id": event.person_id, "groups": event.groups}
            batch.put(
                "campaign_targets",
                str(event.originator_id),
                1,
                {**fields, "reach": NOT_REACHED, **_where(event.region)},
            )
            _tally(batch, event.campaign_id, event.region, position, {"targets": 1, NOT_REACHED: 1})
        elif isinstance(
            event, CampaignTarget.Reached | CampaignTarget.Released | CampaignTarget.Died | CampaignTarget.MovedAway
        ):
            batch.put("campaign_targets", str(event.originator_id), event.originator_version, {"reach": event.reach})
            if event.previous != event.reach:
                _tally(batch, event.campaign_id, event.region, position, {event.previous: -1, event.reach: 1})
        elif isinstance(event, CampaignTarget.Moved):
            batch.put("campaign_targets", str(event.originator_id), event.originator_version, _where(event.region))
            # Prefixes both regions share get -1 and +1: they stay as they were.
            _tally(batch, event.campaign_id, event.from_region, position, {"targets": -1, event.reach: -1})
            _tally(batch, event.campaign_id, event.region, position, {"targets": 1, event.reach: 1})
        elif isinstance(event, CountySummary.Event):
            batch.put("campaign_summaries", str(event.originator_id), event.originator_version, _summary_fields(event))


def _where(region: str) -> dict[str, Any]:
    return {"region": region, JURISDICTIONS: region_keys(region)}


def _tally(batch: ReadModelBatch, campaign_id: str, region: str, position: int, increments: dict[str, int]) -> None:
    """Count at every level of `region`: its village, township, county, city and province."""
    for prefix in region_keys(region):
        fields = {
            "campaign_id": campaign_id,
            "level": level_of(prefix),
            "parent": parent_of(prefix),
            **_where(prefix),
        }
        batch.tally(PROGRESS, f"{campaign_id}:{prefix}", position, increments, fields)


def _campaign_fields(event: Any) -> dict[str, Any]:
    if isinstance(event, Campaign.Planned):
        return {
            "name": event.name,
            "occasion": event.occasion,
            "status": "planned",
            "plan_due": event.plan_due.isoformat(),
            "visits_due": event.visits_due.isoformat(),
            "report_due": event.report_due.isoformat(),
            "groups": [group["code"] for group in event.rule["groups"]],
            **_where(event.region),
        }
    if isinstance(event, Campaign.Launched):
        return {"status": "launched", "launched_on": event.launched_on.isoformat()}
    return {"frozen": True, "targets": event.targets, "by_group": event.by_group}


def _summary_fields(event: Any) -> dict[str, Any]:
    if isinstance(event, CountySummary.Submitted | CountySummary.Resubmitted):
        fields = {
            **event.figures,
            "status": SUBMITTED,
            "submitted_on": event.submitted_on.isoformat(),
            "late": event.late,
        }
        if isinstance(event, CountySummary.Submitted):
            fields |= {"campaign_id": event.campaign_id, "county": event.county, **_where(event.county)}
        return fields | {"reason": None}
    if isinstance(event, CountySummary.Approved):
        return {"status": APPROVED, "reviewed_on": event.approved_on.isoformat()}
    return {"status": RETURNED, "reason": event.reason, "reviewed_on": event.returned_on.isoformat()}


# Reading them --------------------------------------------------------------------------------------------------


async def select_targets(db: AsyncDatabase[Any], campaign: Campaign) -> list[Target]:
    """Everyone living in the campaign's region, alive and on record, in any of its target groups.

    Read from the target facets (projections/targeting.py): a few documents per township and group. A group led
    by a broad fact, or every group until the worker's projector has indexed the facets (a fresh deployment),
    reads the people read model instead, one document per person. A person found by several groups is one
    target, in every group they match.
    """
    rule = campaign.rule
    indexes = {tuple(map(tuple, info["key"])) for info in (await db[FACETS].index_information()).values()}
    by_facets = tuple(BY_FACET) in indexes
    if not by_facets:
        log.warning("target facets not indexed yet: choosing targets from the people read model")
    found: dict[str, Target] = {}
    for group in rule.groups:
        facets = facets_of(group) if by_facets else None
        chosen = await (people_in(db, facets, campaign.region) if facets else _people(db, group, campaign))
        for person in chosen:
            if person["person_id"] not in found and (groups := rule.groups_of(person)):
                found[person["person_id"]] = Target(person["person_id"], person["region"], tuple(groups))
    return list(found.values())


async def _people(db: AsyncDatabase[Any], group: TargetGroup, campaign: Campaign) -> list[dict[str, Any]]:
    query = {**group.query(), JURISDICTIONS: campaign.region, "status": "active"}
    projection = {name: 1 for name in RULE_FIELDS} | {"_id": 0}
    return await db.people.find(query, projection, batch_size=5000).to_list()


def _progress_row(doc: dict[str, Any] | None, region: str) -> dict[str, Any]:
    doc = doc or {}
    targets = int(doc.get("targets", 0))
    in_person = int(doc.get("in_person", 0))
    remote = int(doc.get("remote", 0))
    return {
        "region": region,
        "targets": targets,
        "reached_in_person": in_person,
        "reached_remotely": remote,
        "not_reached": int(doc.get(NOT_REACHED, 0)),
        "deceased": int(doc.get(DECEASED, 0)),
        "moved_away": int(doc.get(MOVED_AWAY, 0)),
    }


async def progress(db: AsyncDatabase[Any], campaign_id: str, region: str) -> dict[str, Any]:
    """A region's figures and each of its sub-regions' (one level down) that has targets."""
    own = await db[PROGRESS].find_one({"_id": f"{campaign_id}:{region}"})
    children = db[PROGRESS].find({"campaign_id": campaign_id, "parent": region}, sort=[("region", 1)])
    return {
        **_progress_row(own, region),
        "regions": [_progress_row(doc, doc["region"]) async for doc in children],
    }


async def county_summaries(db: AsyncDatabase[Any], campaign: Campaign, region: str, today: date) -> dict[str, Any]:
    """Each county of `region` with targets or a table: its table's status, and overdue once the report
    deadline has passed without an accepted submission (returned and not resubmitted counts as not submitted).
    The roll-up sums the tables submitted or approved; a province has about a hundred counties at most."""
    campaign_id = str(campaign.id)
    # A county is asked for a table while it has targets: not once they all moved away (its counters are 0).
    counties = {
        doc["region"]
        async for doc in db[PROGRESS].find(
            {"campaign_id": campaign_id, "level": "county", JURISDICTIONS: region}, {"region": 1, "targets": 1}
        )
        if doc.get("targets")
    }
    tables = {
        doc["county"]: doc
        async for doc in db.campaign_summaries.find({"campaign_id": campaign_id, JURISDICTIONS: region})
    }
    past_due = today > campaign.report_due
    rows = []
    roll_up: dict[str, Any] = {name: 0 for name in FIGURES} | {"visited_by_group": {}}
    for county in sorted(counties | set(tables)):
        table = tables.get(county)
        status = table["status"] if table else MISSING
        rows.append(
            {
                "county": county,
                "status": status,
                "overdue": past_due and status in (MISSING, RETURNED),
                "late": bool(table and table.get("late")),
                "submitted_on": table.get("submitted_on") if table else None,
                "reason": table.get("reason") if table else None,
                **{name: table[name] if table else None for name in (*FIGURES, "visited_by_group")},
            }
        )
        if table and status in (SUBMITTED, APPROVED):
            for name in FIGURES:
                roll_up[name] += table[name]
            for code, visited in table["visited_by_group"].items():
                roll_up["visited_by_group"][code] = roll_up["visited_by_group"].get(code, 0) + visited
    statuses = [row["status"] for row in rows]
    roll_up["counties"] = {status: statuses.count(status) for status in (MISSING, SUBMITTED, APPROVED, RETURNED)}
    roll_up["counties"]["overdue"] = sum(1 for row in rows if row["overdue"])
    return {"region": region, "report_due": campaign.report_due.isoformat(), "counties": rows, "roll_up": roll_up}


async def list_targets(
    db: AsyncDatabase[Any], campaign_id: str, region: str, reach: str | None, after: str | None, limit: int
) -> list[dict[str, Any]]:
    """A township's (or village's) targets by person id, from `after` on: a few hundred match at most, so the
    server's materialising every match before the limit stays cheap. `reach` narrows to e.g. not_reached."""
    query: dict[str, Any] = {"campaign_id": campaign_id, JURISDICTIONS: region}
    if reach:
        query["reach"] = reach
    if after:
        query["person_id"] = {"$gt": after}
    fields = {"_id": 0, "person_id": 1, "region": 1, "groups": 1, "reach": 1}
    return await db.campaign_targets.find(query, fields, sort=[("person_id", 1)], limit=limit).to_list()


CAMPAIGN_PAGE = 100


async def campaigns_of(
    db: AsyncDatabase[Any], region: str, after: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The campaigns someone of `region` takes part in: organised within it (an equality on its jurisdiction
    key) or by a region above it (an equality on `region`); the latest visits deadline first. A region plans a
    few campaigns a year, so the match stays small; `after` is the `"<visits_due>|<id>"` of the page before."""
    above = region_keys(region)[:-1]
    query: dict[str, Any] = (
        {"$or": [{JURISDICTIONS: region}, {"region": {"$in": above}}]} if above else {JURISDICTIONS: region}
    )
    docs = await db.campaigns.find(query, limit=1000).to_list()
    ordered = sorted(docs, key=lambda doc: f"{doc['visits_due']}|{doc['_id']}", reverse=True)
    if after:
        ordered = [doc for doc in ordered if f"{doc['visits_due']}|{doc['_id']}" < after]
    page = ordered[:limit]
    more = len(ordered) > limit
    return page, f"{page[-1]['visits_due']}|{page[-1]['_id']}" if more else None
