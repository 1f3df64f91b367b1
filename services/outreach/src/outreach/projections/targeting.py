"""Who a campaign can target, grouped for launching: per township and selective fact (a key-contact reason, a
disability level, a birth decade before 1960), one document holding the facts a target rule reads of everyone in it.

A launch reads a few documents per township for each target group, not one document per person: the local
MongoDB-wire server spends its time per document fetched, and 40,000 targets of a city are a few hundred facet
documents. Broad facts (a category, a household, a young birth decade) have no facets: a facet holding most of a
township would be rewritten on every registration there, so a group led by one reads the people read model.
Only people alive and on record are in the facets; a person leaves every facet when they change or die. A facet
is kept in buckets of at most a hundred entries (projections/buckets.py), so registrations in a large township
never rewrite a document that grows with it; the launch reads every bucket of a facet by the same equality.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.campaigns import TargetGroup
from outreach.projections.buckets import CAPACITY, BucketedGroups, split_unbucketed
from vet_common.jurisdiction import JURISDICTIONS, region_keys
from vet_common.people import PersonReplica
from vet_common.projector import ReadModelBatch

log = logging.getLogger(__name__)
FACETS = "target_facets"
BY_FACET = [("facet", 1), (JURISDICTIONS, 1)]
TOWNSHIP = 9
FIRST_DECADE = 1890
OLD_DECADES_END = 1960  # birth decades before this one have facets: the elderly a drive targets by age
# The facts of a person a target rule reads, as the people read model names them.
ENTRY_FIELDS = ("region", "categories", "key_contact_reasons", "disability_level", "household", "birth_year")


class TargetFacetsProjection:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity

    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db[FACETS].create_index(BY_FACET)
        await db[FACETS].create_index([("entries.id", 1)])  # a changed person is pulled from their old facets
        if split := await split_unbucketed(db[FACETS], self.capacity):
            log.info("target facets: %d documents of the shape before buckets split into buckets", split)
        await db[FACETS].create_index([("group", 1)])  # the buckets of the facets a batch's people join

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, PersonReplica.Seen | PersonReplica.Updated):
            person = {**event.facts, "region": event.region}
            active = person["status"] == "active"
            facets = batch.step(FACETS, lambda: BucketedGroups(FACETS, self.capacity))
            facets.move(person["person_id"], entry(person), facet_groups(person) if active else {})


def entry(person: Mapping[str, Any]) -> dict[str, Any]:
    return {name: person.get(name) for name in ENTRY_FIELDS}


def facet_groups(person: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The facets a person is in ("<township>:<facet>" -> its fields)."""
    township = person["region"][:TOWNSHIP]
    facets = [f"k:{reason}" for reason in person["key_contact_reasons"]]
    if (decade := _decade(int(person["birth_year"]))) < OLD_DECADES_END:
        facets.append(f"y:{decade}")
    if person.get("disability_level"):
        facets.append(f"d:{person['disability_level']}")
    return {
        f"{township}:{facet}": {"facet": facet, "township": township, JURISDICTIONS: region_keys(township)}
        for facet in facets
    }


def facets_of(group: TargetGroup) -> list[str] | None:
    """The facets that hold everyone in a group, by its most selective dimension; None when no facet does."""
    if group.key_contact_reasons:
        return [f"k:{reason}" for reason in group.key_contact_reasons]
    if group.disability_levels:
        return [f"d:{level}" for level in group.disability_levels]
    if group.born_by is not None and _decade(group.born_by) < OLD_DECADES_END:
        return [f"y:{decade}" for decade in range(FIRST_DECADE, _decade(group.born_by) + 1, 10)]
    return None


def _decade(year: int) -> int:
    return max(year // 10 * 10, FIRST_DECADE)


async def people_in(db: AsyncDatabase[Any], facets: list[str], region: str) -> list[dict[str, Any]]:
    """Everyone in `region` alive and on record in any of `facets` (the caller checks each against its group):
    the entries of those facets in the townships of `region`."""
    scope = region[:TOWNSHIP]  # a village's people are in its township's facets
    found = []
    for name in facets:
        # One equality per facet, and no index hint: with `$in` or a hint SecantusDB read far more than the
        # facets asked for (at 200,000 people a group took 3.7-6.9 s with either, 0.8-4.0 s without, load ~15).
        query = {"facet": name, JURISDICTIONS: scope}
        async for facet in db[FACETS].find(query, {"entries": 1, "_id": 0}):
            found += [
                {**item, "person_id": item["id"]}
                for item in facet.get("entries", ())
                if item["region"].startswith(region)
            ]
    return found
