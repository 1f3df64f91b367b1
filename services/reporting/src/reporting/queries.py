"""Reporting's read side: figures from the counters (a handful of documents), or from the archive as of a day,
and the auditors' search of the archive."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pymongo.asynchronous.database import AsyncDatabase

from reporting.application import ReportingApplication
from reporting.domain.reports import report_id
from reporting.projections import flatten
from reporting.statistics.family import Family, Measure, part_topic
from reporting.statistics.periods import ALL, Period, end_of_day
from reporting.statistics.tally import CounterKey, Tally, bucket_of, counter_id, fold, parent_key
from vet_common.divisions import division_table
from vet_common.domain import Invalid
from vet_common.regions import name_of

Counts = dict[str, int]


@dataclass
class Figures:
    """A topic's figures for a region and its children (the next level down), one period."""

    region: str
    total: Counts
    children: dict[str, Counts] = field(default_factory=dict)
    documents_read: int = 0
    part: str | None = None  # one fund, one campaign; None: the whole topic


@functools.cache
def table_children() -> dict[str, list[str]]:
    """Region -> its children in the national division table (villages are not in it)."""
    children: dict[str, list[str]] = {}
    for code in division_table().names:
        parent = parent_key(code)  # by shape, as the counters are keyed
        if parent:
            children.setdefault(parent, []).append(code)
    return {parent: sorted(codes) for parent, codes in children.items()}


def region_name(code: str) -> str | None:
    return name_of(code)


def periods_read(period: Period, today: date) -> list[str]:
    """The counter periods a figure needs: stocks at the end of a past period are now's minus what came after."""
    if period.kind == "all":
        return [ALL]
    return [period.key, ALL, *period.later_until(today)]


def measures_of(family: Family, keys: Iterable[str], part: str | None = None) -> list[Measure]:
    """The topic's columns, and those its data names (a campaign's groups); a part's without the whole's own."""
    measures = [*family.measures(), *family.open_measures(keys)]
    return [m for m in measures if not (part and m.whole_only)]


def combine(family: Family, period: Period, by_period: Mapping[str, Counts], today: date) -> Counts:
    """Flows of the period itself; stocks at its end (the whole history's, less every later period's change)."""
    if period.kind == "all":
        return dict(by_period.get(ALL, {}))
    own = by_period.get(period.key, {})
    now = by_period.get(ALL, {})
    measures = measures_of(family, {*own, *now})
    figures = {m.key: own.get(m.key, 0) for m in measures if m.flow}
    later = [by_period.get(key, {}) for key in period.later_until(today)]
    for measure in measures:
        if not measure.flow and not measure.derived:
            figures[measure.key] = now.get(measure.key, 0) - sum(counts.get(measure.key, 0) for counts in later)
    return figures


def assemble(
    family: Family,
    region: str,
    period: Period,
    docs: Mapping[CounterKey, Counts],
    today: date,
    part: str | None = None,
) -> Figures:
    topic = part_topic(family.topic, part)
    regions = {key[2] for key in docs if key[2] != region and key[0] == topic}
    regions |= set(table_children().get(region, ()))

    def of(code: str) -> Counts:
        by_period = {key[1]: counts for key, counts in docs.items() if key[2] == code and key[0] == topic}
        return combine(family, period, by_period, today)

    return Figures(region, of(region), {code: of(code) for code in sorted(regions)}, part=part)


async def live_figures(
    db: AsyncDatabase[Any], family: Family, region: str, period: Period, today: date, part: str | None = None
) -> Figures:
    """From the projector's counters: the region's document and its children's, per period read."""
    topic = part_topic(family.topic, part)
    found = await counter_documents(db, topic, region, period, today)
    figures = assemble(family, region, period, by_counter(found), today, part)
    figures.documents_read = len(found)
    return figures


async def counter_documents(
    db: AsyncDatabase[Any], topic: str, region: str, period: Period, today: date
) -> list[dict[str, Any]]:
    """The counter documents of a region and of its children that a period's figures need."""
    buckets = sorted({bucket_of(key) for key in periods_read(period, today)})
    # Equalities only (an $or is a scan on the local server): the region's documents by id, and for each
    # bucket its children's by (topic, bucket, parent).
    found = await db.counters.find({"_id": {"$in": [counter_id((topic, b, region)) for b in buckets]}}).to_list()
    for bucket in buckets:
        found += await db.counters.find({"topic": topic, "bucket": bucket, "parent": region}).to_list()
    return found


def by_counter(found: Iterable[Mapping[str, Any]]) -> dict[CounterKey, Counts]:
    """Documents' counts as (topic, period, region) -> counts, as `assemble` takes them."""
    docs: dict[CounterKey, Counts] = {}
    for doc in found:
        for key, counts in doc["counts"].items():
            docs[(doc["topic"], key, doc["region"])] = flatten(counts)
    return docs


async def live_totals(
    db: AsyncDatabase[Any], family: Family, region: str, periods: list[Period], today: date
) -> dict[str, Counts]:
    """A region's own totals for several periods (a chart by period) from one read of its counter documents, and
    an approved report's figures, locked, for its period as GET /stats shows them (one read more)."""
    keys = {key for period in periods for key in periods_read(period, today)}
    ids = [counter_id((family.topic, bucket, region)) for bucket in sorted({bucket_of(key) for key in keys})]
    found = await db.counters.find({"_id": {"$in": ids}}).to_list()
    by_period = {key: flatten(counts) for doc in found for key, counts in doc["counts"].items()}
    reports = {str(report_id(family.topic, region, p.key)): p.key for p in periods if p.kind != "all"}
    approved = await db.reports.find({"_id": {"$in": list(reports)}, "status": "approved"}).to_list()
    locked = {reports[doc["_id"]]: {k: int(v) for k, v in doc["figures"]["total"].items()} for doc in approved}
    return {p.key: locked[p.key] if p.key in locked else combine(family, p, by_period, today) for p in periods}


def figures_as_of(
    application: ReportingApplication,
    family: Family,
    region: str,
    period: Period,
    day: date,
    part: str | None = None,
) -> Figures:
    """Replays the archive as it stood at the end of `day` (China): the same answer however often it is asked.

    Every event of the family is tallied (a person who moved away still has to leave the region), but only the
    region's and its children's counters (of the whole topic or of the part asked for) are kept."""
    until = end_of_day(day)
    tally = Tally([family])
    topic = part_topic(family.topic, part)
    totals: dict[CounterKey, Counts] = {}
    for entry in application.entries():
        if entry.timestamp > until:
            break  # arrival order: everything after arrived later
        changes = tally.apply(entry.envelope, entry.position)
        fold(totals, {key: counts for key, counts in changes.items() if key[0] == topic and _kept(key, region)})
    figures = assemble(family, region, period, totals, day, part)
    figures.documents_read = len({(key[2], bucket_of(key[1])) for key in totals})  # what the counters would hold
    return figures


def _kept(key: CounterKey, region: str) -> bool:
    code = key[2]
    return code == region or parent_key(code) == region


def suppress(measures: Iterable[Measure], figures: Counts, threshold: int) -> dict[str, int | None]:
    """Published figures: a count from 1 to threshold-1 becomes None (shown as "<threshold")."""
    small = {m.key for m in measures if m.units == "count"}
    return {key: (None if key in small and 0 < value < threshold else value) for key, value in figures.items()}


async def locked_figures(db: AsyncDatabase[Any], topic: str, region: str, period: Period) -> dict[str, int] | None:
    """An approved report's total, which GET /stats shows instead of the live figures."""
    if period.kind == "all":
        return None
    doc = await db.reports.find_one({"_id": str(report_id(topic, region, period.key)), "status": "approved"})
    return None if doc is None else {key: int(value) for key, value in doc["figures"]["total"].items()}


# Audit ------------------------------------------------------------------------------------------------------------

NARROW_FIRST = (
    "请按记录编号、操作人查询，或选择乡镇（街道）及以下的区划 "
    "(narrow the search first: a record id, an actor, or a region at township level or below)"
)
TOWNSHIP = 9


@dataclass(frozen=True, kw_only=True)
class AuditSearch:
    scope: str  # the caller's jurisdiction, or the part of it asked for
    aggregate_id: str | None = None
    actor: str | None = None
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    order: Literal["newest", "oldest"] = "newest"
    after: int | None = None
    page_size: int = 50


async def search_audit(db: AsyncDatabase[Any], search: AuditSearch) -> tuple[list[dict[str, Any]], int | None]:
    """One page of archived events and the cursor of the next. Every query is an equality on an indexed key (a
    record, an actor, a township's jurisdiction key), so its match stays small."""
    query: dict[str, Any] = {"jurisdictions": search.scope}
    if search.aggregate_id:
        query["aggregate_id"] = search.aggregate_id
    elif search.actor:
        query["actor"] = search.actor
    elif len(search.scope) < TOWNSHIP:
        raise Invalid("region", NARROW_FIRST)
    if search.aggregate_id and search.actor:
        query["actor"] = search.actor
    if search.type:
        query["type"] = search.type
    if search.since or search.until:
        query["occurred_at"] = {
            **({"$gte": search.since} if search.since else {}),
            **({"$lte": search.until} if search.until else {}),
        }
    newest = search.order == "newest"
    if search.after is not None:
        query["position"] = {"$lt" if newest else "$gt": search.after}
    docs = await db.audit.find(
        query, {"jurisdictions": 0}, sort=[("position", -1 if newest else 1)], limit=search.page_size + 1
    ).to_list()
    more = len(docs) > search.page_size
    docs = docs[: search.page_size]
    return docs, docs[-1]["position"] if more and docs else None
