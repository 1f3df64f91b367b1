"""Read model of the request ledger: one document per request, shaped so each list is an equality lookup.

SecantusDB fetches every match of a query before it sorts and limits (and narrows by an index only on
equality), so every list asks for one value of `keys`: a jurisdiction key joined with a status bucket, and
the category, the assignee or the supervising level. The buckets are the pending statuses (and "open" for all
three before resolved) and, for closed requests, the month they were closed: the matches are a region's pending
work or one month's closings, never years of history. Pages go on by `sort_key` (deadline, then id). The
daily escalation finds its candidates by equality on `open`, then the deadline.

A city's or the province's key still matches every pending request there (thousands), and SecantusDB
materialises every match before the limit: their lists are read in narrow windows of `sort_key` planned from
day and month counts of each key (queries/windows.py, as the due and overdue lists), each window about a page.
A county's or township's key matches a few hundred at most and is read in one query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.requests import OPEN_STATUSES, Request, RequestStatus, RequestStep
from outreach.projections.history import state_before
from outreach.queries.windows import (
    COUNTS_REMEMBERED,
    MONTHS,
    DayCounts,
    day_key,
    decode,
    encode,
    key_at,
    month_of,
    walk,
)
from vet_common.auth import Principal
from vet_common.domain import Invalid
from vet_common.eventstore import ServiceApplication
from vet_common.jurisdiction import JURISDICTIONS, region_keys, within
from vet_common.projector import ReadModelBatch
from vet_common.states import AggregateStates

OPEN = "open"  # the statuses before resolved, as one value a list can ask for
MAX_PAGE = 100
DAY_COUNTS = "request_day_counts"
COUNTED_UP_TO = 4  # the province's and the cities' keys: a county's are read in one query
SUPERVISOR = "supervisor:"
# Every deadline lies in this range (a deadline is counted from a registration on this platform).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)


def bucket(status: str, closed_in: str | None = None) -> str:
    """The status part of a key: a closed request's is the month it was closed (closed:2020-05)."""
    return f"{status}:{closed_in}" if status == RequestStatus.closed else status


def keys_of(request: Request) -> list[str]:
    """The values a list looks up: at every jurisdiction level, the status bucket alone, with the category and
    with the assignee; and at every level of the supervisor (督办) while the request is open."""
    if request.is_open:
        buckets = [request.status, OPEN]
    else:
        buckets = [bucket(request.status, request.closed_on.isoformat()[:7] if request.closed_on else None)]
    keys = []
    for key in region_keys(request.region):
        for status in buckets:
            keys += [f"{key}|{status}", f"{key}|{status}|{request.category}"]
            keys += [f"{key}|{status}|assignee:{request.assignee}"] if request.assignee else []
    if request.supervised_by and request.is_open:
        keys += [f"{SUPERVISOR}{key}" for key in region_keys(request.supervised_by)]
    return keys


def counted(key: str) -> bool:
    """Whether a list key is the province's or a city's, whose lists are walked by counts."""
    return len(key.removeprefix(SUPERVISOR).partition("|")[0]) <= COUNTED_UP_TO


def day_counts(doc: dict[str, Any] | None) -> set[tuple[str, str]]:
    """The (list, day) counts a request document adds one to: its deadline's day and month under each counted key."""
    if doc is None:
        return set()
    day = doc["deadline"]
    keys = [key for key in doc["keys"] if counted(key)]
    return {(f"req|{key}", day) for key in keys} | {(f"req|{key}{MONTHS}", month_of(day)) for key in keys}


def document_of(request: Request) -> dict[str, Any]:
    deadline = request.deadline.isoformat()
    return {
        "person_id": request.person_id,
        "region": request.region,
        JURISDICTIONS: region_keys(request.region),
        "category": request.category,
        "grade": request.grade,
        "status": request.status,
        "open": request.is_open,
        "deadline": deadline,
        "registered_on": request.registered_on.isoformat(),
        "resolved_on": request.resolved_on.isoformat() if request.resolved_on else None,
        "closed_on": request.closed_on.isoformat() if request.closed_on else None,
        "satisfaction": request.satisfaction,
        "department": request.department,
        "assignee": request.assignee,
        "responsible_region": request.responsible_region,
        "supervised_by": request.supervised_by,
        "escalation_level": request.escalation_level,
        "person_deceased": request.person_deceased,
        "visits": len(request.visits),
        "keys": keys_of(request),
        "sort_key": f"{deadline}|{request.id}",
    }


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    # One array field per compound index (MongoDB's rule): `keys`.
    await db.requests.create_index([("keys", 1), ("sort_key", 1)])
    await db.requests.create_index([("person_id", 1), ("sort_key", 1)])
    await db.requests.create_index([("open", 1), ("deadline", 1)])
    await db[DAY_COUNTS].create_index([("list", 1), ("day", 1)])


class RequestsProjection:
    def __init__(self, application: ServiceApplication) -> None:
        self.states = AggregateStates(application)

    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await create_indexes(db)

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, Request.Registered | RequestStep):
            before = state_before(self.states, event)
            old = day_counts(document_of(before)) if before is not None else set()
            doc = document_of(self.states.after(event))
            batch.put("requests", str(event.originator_id), event.originator_version, doc)
            new = day_counts(doc)
            for listed, day in old - new:
                batch.count(DAY_COUNTS, day_key(listed, day), -1, {"list": listed, "day": day})
            for listed, day in new - old:
                batch.count(DAY_COUNTS, day_key(listed, day), 1, {"list": listed, "day": day})


# Queries ---------------------------------------------------------------------------------------------------------

HIDDEN = {"_id", "version", JURISDICTIONS, "keys", "sort_key"}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, kw_only=True)
class RequestSearch:
    region: str | None = None
    status: str | None = None  # a status, or "open" (the default): registered, accepted or in progress
    overdue: bool | None = None
    category: str | None = None
    assignee: str | None = None
    escalated: bool = False  # only those the region's levels supervise (督办)
    closed_in: str | None = None  # the month (2020-05) a closed list is of; this month by default
    after: str | None = None  # the cursor of the last row of the page before
    page_size: int = 20


async def find_requests(
    db: AsyncDatabase[Any], principal: Principal, search: RequestSearch, today: date
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of requests, soonest deadline first, and the cursor of the next page (None on the last)."""
    scope = within(principal, search.region)[JURISDICTIONS]
    status = search.status or OPEN
    month = search.closed_in or today.isoformat()[:7]
    if not MONTH.match(month):
        raise Invalid("closed_in", "月份格式应为 年-月，如 2020-05 (the month must look like 2020-05)")
    key = f"{scope}|{bucket(status, month)}"
    if search.escalated:
        key = f"{SUPERVISOR}{scope}"
    elif search.assignee:
        key += f"|assignee:{search.assignee}"
    elif search.category:
        key += f"|{search.category}"
    # The key and the range of sort_key alone where the key says it all: SecantusDB narrows by an index range
    # only when the query is the index's fields (another field made a city's window read all its 2,000 open).
    query: dict[str, Any] = {"keys": key}
    if search.escalated:  # the supervisor's key holds every open request it supervises
        query |= {"open": True} if status == OPEN else {"status": status}
    if search.category and (search.escalated or search.assignee):
        query["category"] = search.category
    if search.assignee and search.escalated:
        query["assignee"] = search.assignee
    # Overdue: open with its deadline passed; sort_key begins with the deadline.
    start, end = EARLIEST, LATEST
    if search.overdue is not None:
        if status != OPEN and status not in OPEN_STATUSES:
            return [], None  # a resolved or closed request is never overdue, nor "not overdue"
        start, end = (start, today) if search.overdue else (today, end)
    if counted(key):
        counts = DayCounts(db[DAY_COUNTS], f"req|{key}", COUNTS_REMEMBERED)
        page = await walk(db.requests, "sort_key", query, start, end, search.after, search.page_size, counts)
        return [shown(doc, today) for doc in page.docs], page.next
    lower = {"$gte": key_at(start.toordinal())}
    if search.after and (cursor := decode(search.after)) >= lower["$gte"]:
        lower = {"$gt": cursor}
    query["sort_key"] = {**lower, "$lt": key_at(end.toordinal())}
    docs = await db.requests.find(query, sort=[("sort_key", 1)], limit=search.page_size + 1).to_list()
    more = len(docs) > search.page_size
    page_docs = docs[: search.page_size]
    return [shown(doc, today) for doc in page_docs], encode(page_docs[-1]["sort_key"]) if more else None


async def requests_of_person(
    db: AsyncDatabase[Any], principal: Principal, person_id: str, today: date
) -> list[dict[str, Any]]:
    """A person's requests in the caller's jurisdiction (a person has a handful), soonest deadline first."""
    query = {"person_id": person_id, **within(principal)}
    found = await db.requests.find(query, sort=[("sort_key", 1)], limit=MAX_PAGE).to_list()
    return [shown(doc, today) for doc in found]


def shown(doc: dict[str, Any], today: date) -> dict[str, Any]:
    """A document as the API lists it: `id`, without the lookup keys, and whether it is overdue today."""
    overdue = doc["open"] and doc["deadline"] < today.isoformat()
    return {"id": doc["_id"], **{key: value for key, value in doc.items() if key not in HIDDEN}, "overdue": overdue}
