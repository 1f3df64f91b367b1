"""The registry's read side: one function per query the API serves, each limited to the caller's jurisdiction."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pymongo.asynchronous.database import AsyncDatabase

from registry.domain import born_on_or_before
from vet_common.auth import Principal
from vet_common.domain import Invalid
from vet_common.idnumber import InvalidIdNumber, parse_id_number
from vet_common.jurisdiction import within

Document = dict[str, Any]


# Above the township a list must be narrowed first (search first): the local MongoDB-wire server materialises
# every match before it sorts and limits, and a county page of 50,000 people is seconds, not milliseconds.
LIST_DIRECTLY_FROM = 9  # township prefixes and below
# A total above this is shown as "more than 1,000": counting further means fetching every match.
TOTAL_LIMIT = 1000
SELECTIVE_STATUSES = frozenset({"deceased", "merged"})
SEARCH_FIRST = (
    "县级及以上请先输入姓名（或姓氏）、身份证号码，或选择乡镇（街道）、伤残等级再查询 "
    "(above township level, narrow the list first: a name or its beginning, an ID number, a township, "
    "or a disability level)"
)


@dataclass(frozen=True, kw_only=True)
class PersonSearch:
    """What a station worker can look for; every field narrows the list."""

    region: str | None = None
    category: str | None = None
    key_contact: bool | None = None
    status: str | None = None
    disability_level: int | None = None
    q: str | None = None  # a name, its beginning, or an exact ID number
    after: str | None = None  # the cursor of the last row of the page before
    page_size: int = 20


@dataclass(frozen=True)
class PersonResults:
    docs: list[Document]
    total: int
    total_exact: bool
    next: str | None


async def find_persons(
    db: AsyncDatabase[Any], id_hash: Any, principal: Principal, search: PersonSearch, today: date
) -> PersonResults:
    """One page of people sorted by region, name and id, with a bounded total and the cursor of the next page."""
    # The most selective condition goes first: the MongoDB-wire server we run locally (SecantusDB) uses the
    # index of the first indexed field it meets (an exact ID lookup went from 2 s to 4 ms); MongoDB ignores order.
    query: Document = {}
    term = (search.q or "").strip()
    if term:
        try:
            query["id_hash"] = id_hash(parse_id_number(term).value)
        except InvalidIdNumber:
            query["name_prefixes"] = term
    query.update(within(principal, search.region))
    if not _narrow_enough(query, search):
        raise Invalid("q", SEARCH_FIRST)
    if search.category:
        query["categories"] = search.category
    if search.status:
        query["status"] = search.status
    if search.disability_level:
        query["disability_level"] = search.disability_level
    if search.key_contact is not None:
        is_key = [
            {"key_contact_reasons.0": {"$exists": True}},
            {"birth_date": {"$lte": born_on_or_before(today).isoformat()}},
        ]
        query["$or" if search.key_contact else "$nor"] = is_key
    total = await db.persons.count_documents(query, limit=TOTAL_LIMIT + 1)
    page_query = {"$and": [query, after_cursor(search.after)]} if search.after else query
    docs = await db.persons.find(page_query, sort=PERSON_ORDER, limit=search.page_size + 1).to_list()
    more = len(docs) > search.page_size
    docs = docs[: search.page_size]
    return PersonResults(
        docs=docs,
        total=min(total, TOTAL_LIMIT),
        total_exact=total <= TOTAL_LIMIT,
        next=cursor_of(docs[-1]) if more else None,
    )


PERSON_ORDER = [("region", 1), ("name", 1), ("_id", 1)]


def _narrow_enough(query: Document, search: PersonSearch) -> bool:
    return bool(
        len(query["jurisdictions"]) >= LIST_DIRECTLY_FROM
        or "id_hash" in query
        or "name_prefixes" in query
        or search.disability_level
        or search.status in SELECTIVE_STATUSES
    )


def cursor_of(doc: Document) -> str:
    """An opaque cursor: the sort key of the last row shown."""
    key = json.dumps([doc["region"], doc["name"], doc["_id"]], ensure_ascii=False)
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def after_cursor(cursor: str) -> Document:
    """The rows after the cursor's row in PERSON_ORDER: a keyset page, never a skip over the rows before."""
    try:
        region, name, doc_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        raise Invalid(
            "after", "翻页参数无效，请从第一页重新查询 (invalid cursor: start again from the first page)"
        ) from None
    return {
        "$or": [
            {"region": {"$gt": region}},
            {"region": region, "name": {"$gt": name}},
            {"region": region, "name": name, "_id": {"$gt": doc_id}},
        ]
    }


async def list_transfers(
    db: AsyncDatabase[Any],
    principal: Principal,
    direction: Literal["incoming", "outgoing"],
    status: str | None,
    limit: int,
) -> list[Document]:
    """Transfers into (incoming) or out of (outgoing) the caller's jurisdiction, newest first."""
    side = "to" if direction == "incoming" else "from"
    query = within(principal, key=f"{side}_jurisdictions")
    if status:
        query["status"] = status
    return await db.transfers.find(query, sort=[("requested_at", -1)], limit=limit).to_list()


async def list_duplicates(db: AsyncDatabase[Any], principal: Principal, status: str, limit: int) -> list[Document]:
    query = {**within(principal), "status": status}
    return await db.duplicates.find(query, sort=[("flagged_at", -1)], limit=limit).to_list()


async def list_alerts(
    db: AsyncDatabase[Any], principal: Principal, region: str | None, kind: str | None, until: date, limit: int
) -> list[Document]:
    """Alerts of active people due by `until` (and overdue ones), soonest first."""
    query: Document = {**within(principal, region), "due_on": {"$lte": until.isoformat()}, "person_status": "active"}
    if kind:
        query["kind"] = kind
    return await db.alerts.find(query, sort=[("due_on", 1)], limit=limit).to_list()


async def access_log(
    db: AsyncDatabase[Any],
    principal: Principal,
    region: str | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    page: int,
    page_size: int,
) -> tuple[list[Document], int]:
    """Reads of personal data in clear, newest first."""
    query = within(principal, region)
    if actor:
        query["actor.sub"] = actor
    if since or until:
        query["at"] = {**({"$gte": since} if since else {}), **({"$lte": until} if until else {})}
    total = await db.access_log.count_documents(query)
    docs = await db.access_log.find(query, sort=[("at", -1)], skip=(page - 1) * page_size, limit=page_size).to_list()
    return docs, total


async def reads_of_person(db: AsyncDatabase[Any], person_id: str) -> list[Document]:
    """Every read of this person's data in clear (the caller has already been shown the person)."""
    return await db.access_log.find({"person_id": person_id}).to_list()


def without_internals(doc: Document) -> Document:
    """A read-model document as the API shows it: `id` instead of `_id`; bookkeeping fields left out."""
    hidden = {"_id", "version", "jurisdictions", "to_jurisdictions", "from_jurisdictions"}
    return {"id": doc["_id"], **{key: value for key, value in doc.items() if key not in hidden}}
