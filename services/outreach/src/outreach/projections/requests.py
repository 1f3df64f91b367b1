"""Read model of the request ledger: one document per request, shaped so each list is an equality lookup.

SecantusDB fetches every match of a query before it sorts and limits, so every list asks for one value of
`keys` (a jurisdiction key joined with the status, the category, the assignee or the supervising level) and
pages by `sort_key` (deadline, then id): the matches are the open requests of one region, never a province's
history. The daily escalation finds its candidates by `open_deadline`, set only while a request is open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.domain.requests import Request, RequestStep
from vet_common.auth import Principal
from vet_common.domain import Invalid
from vet_common.eventstore import ServiceApplication
from vet_common.jurisdiction import JURISDICTIONS, region_keys, within
from vet_common.projector import ReadModelBatch
from vet_common.states import AggregateStates

OPEN = "open"  # the statuses before resolved, as one value a list can ask for
OPEN_DEADLINE = "open_deadline"
MAX_PAGE = 100


def keys_of(request: Request) -> list[str]:
    """The values a list looks up: at every jurisdiction level, the status (and "open"), with the category,
    and the assignee; and at every level of the supervisor (督办) while the request is open."""
    statuses = [request.status, OPEN] if request.is_open else [request.status]
    keys = []
    for key in region_keys(request.region):
        keys += [f"{key}|{status}" for status in statuses]
        keys += [f"{key}|{status}|{request.category}" for status in statuses]
        if request.assignee:
            keys.append(f"{key}|assignee:{request.assignee}")
    if request.supervised_by and request.is_open:
        keys += [f"supervisor:{key}" for key in region_keys(request.supervised_by)]
    return keys


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
        OPEN_DEADLINE: deadline if request.is_open else None,
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


class RequestsProjection:
    def __init__(self, application: ServiceApplication) -> None:
        self.states = AggregateStates(application)

    async def setup(self, db: AsyncDatabase[Any]) -> None:
        # One array field per compound index (MongoDB's rule): `keys`.
        await db.requests.create_index([("keys", 1), ("sort_key", 1)])
        await db.requests.create_index([("person_id", 1), ("sort_key", 1)])
        await db.requests.create_index([(OPEN_DEADLINE, 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if isinstance(event, Request.Registered | RequestStep):
            request: Request = self.states.after(event)
            batch.put("requests", str(event.originator_id), event.originator_version, document_of(request))


# Queries ---------------------------------------------------------------------------------------------------------

CURSOR = re.compile(r"^\d{4}-\d{2}-\d{2}\|[0-9a-f-]{36}$")
HIDDEN = {"_id", "version", JURISDICTIONS, "keys", "sort_key", OPEN_DEADLINE}


@dataclass(frozen=True, kw_only=True)
class RequestSearch:
    region: str | None = None
    status: str | None = None  # a status, or "open" (the default): registered, accepted or in progress
    overdue: bool | None = None
    category: str | None = None
    assignee: str | None = None
    escalated: bool = False  # only those the region's levels supervise (督办)
    after: str | None = None  # the cursor of the last row of the page before
    page_size: int = 20


async def find_requests(
    db: AsyncDatabase[Any], principal: Principal, search: RequestSearch, today: date
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of requests, soonest deadline first, and the cursor of the next page (None on the last)."""
    scope = within(principal, search.region)[JURISDICTIONS]
    status = search.status or OPEN
    query: dict[str, Any] = {"open": True} if status == OPEN else {"status": status}
    if search.escalated:
        query["keys"] = f"supervisor:{scope}"
    elif search.assignee:
        query |= {"keys": f"{scope}|assignee:{search.assignee}"}
    elif search.category:
        query["keys"] = f"{scope}|{status}|{search.category}"
    else:
        query["keys"] = f"{scope}|{status}"
    if search.category:
        query["category"] = search.category
    if search.assignee:
        query["assignee"] = search.assignee
    if search.overdue is not None:
        query[OPEN_DEADLINE] = {"$lt" if search.overdue else "$gte": today.isoformat()}
    if search.after:
        if not CURSOR.match(search.after):
            raise Invalid("after", "翻页参数无效，请从第一页重新查询 (invalid cursor: start again from the first page)")
        query["sort_key"] = {"$gt": search.after}
    docs = await db.requests.find(query, sort=[("sort_key", 1)], limit=search.page_size + 1).to_list()
    more = len(docs) > search.page_size
    page = docs[: search.page_size]
    return [shown(doc, today) for doc in page], page[-1]["sort_key"] if more else None


async def requests_of_person(
    db: AsyncDatabase[Any], principal: Principal, person_id: str, today: date
) -> list[dict[str, Any]]:
    """A person's requests in the caller's jurisdiction (a person has a handful), soonest deadline first."""
    query = {"person_id": person_id, **within(principal)}
    found = await db.requests.find(query, sort=[("sort_key", 1)], limit=MAX_PAGE).to_list()
    return [shown(doc, today) for doc in found]


def shown(doc: dict[str, Any], today: date) -> dict[str, Any]:
    """A document as the API lists it: `id`, without the lookup keys, and whether it is overdue today."""
    overdue = doc[OPEN_DEADLINE] is not None and doc[OPEN_DEADLINE] < today.isoformat()
    return {"id": doc["_id"], **{key: value for key, value in doc.items() if key not in HIDDEN}, "overdue": overdue}
