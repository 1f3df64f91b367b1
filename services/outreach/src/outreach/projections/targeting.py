"""Who a campaign can target, grouped for launching: per township and fact (a key-contact reason, a disability
level, a birth decade, a category), one document holding the facts a target rule reads of everyone in it.

A launch reads a few documents per township for each target group, not one document per person: the local
MongoDB-wire server spends its time per document fetched, and 40,000 targets of a city are a few hundred facet
documents. Only people alive and on record are in them; a person leaves every facet when they change or die.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.campaigns import TargetGroup
from vet_common.jurisdiction import JURISDICTIONS, region_keys
from vet_common.people import PersonReplica
from vet_common.projector import ReadModelBatch

FACETS = "target_facets"
BY_FACET = [("facet", 1), (JURISDICTIONS, 1)]
TOWNSHIP = 9
FIRST_DECADE, LAST_DECADE = 1890, 2030
# The facts of a person a target rule reads, as the people read model names them.
ENTRY_FIELDS = ("region", "categories", "key_contact_reasons", "disability_level", "household", "birth_year")


class TargetFacetsProjection:
    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db[FACETS].create_index(BY_FACET)
        await db[FACETS].create_index([("entries.id", 1)])  # a changed person is pulled from their old facets

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, PersonReplica.Seen | PersonReplica.Updated):
            person = {**event.facts, "region": event.region}
            active = person["status"] == "active"
            batch.regroup(FACETS, person["person_id"], entry(person), facet_groups(person) if active else {})


def entry(person: Mapping[str, Any]) -> dict[str, Any]:
    return {name: person.get(name) for name in ENTRY_FIELDS}


def facet_groups(person: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The facet documents a person is in (id -> its fields)."""
    township = person["region"][:TOWNSHIP]
    facets = [f"k:{reason}" for reason in person["key_contact_reasons"]]
    facets += [f"c:{category}" for category in person["categories"]]
    facets.append(f"y:{_decade(int(person['birth_year']))}")
    if person.get("disability_level"):
        facets.append(f"d:{person['disability_level']}")
    return {
        f"{township}:{facet}": {"facet": facet, "township": township, JURISDICTIONS: region_keys(township)}
        for facet in facets
    }


def facets_of(group: TargetGroup) -> list[str]:
    """The facets that hold everyone in a group, by its most selective dimension."""
    if group.key_contact_reasons:
        return [f"k:{reason}" for reason in group.key_contact_reasons]
    if group.disability_levels:
        return [f"d:{level}" for level in group.disability_levels]
    if group.categories:
        return [f"c:{category}" for category in group.categories]
    last = _decade(group.born_by) if group.born_by is not None else LAST_DECADE
    return [f"y:{decade}" for decade in range(FIRST_DECADE, last + 1, 10)]  # every birth decade: everyone


def _decade(year: int) -> int:
    return min(max(year // 10 * 10, FIRST_DECADE), LAST_DECADE)


async def people_in(db: AsyncDatabase[Any], group: TargetGroup, region: str) -> list[dict[str, Any]]:
    """Everyone in `region` alive and on record who may be in `group` (the caller checks each): the entries of
    the group's facets in the townships of `region`."""
    scope = region[:TOWNSHIP]  # a village's people are in its township's facets
    query = {"facet": {"$in": facets_of(group)}, JURISDICTIONS: scope}
    found = []
    async for facet in db[FACETS].find(query, {"entries": 1, "_id": 0}, hint=BY_FACET):
        found += [
            {**item, "person_id": item["id"]} for item in facet.get("entries", ()) if item["region"].startswith(region)
        ]
    return found
