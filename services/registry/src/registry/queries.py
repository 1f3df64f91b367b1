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
from registry.projections import TOWNSHIP_DIGITS
from vet_common.auth import Principal
from vet_common.domain import Invalid
from vet_common.idnumber import InvalidIdNumber, parse_id_number
from vet_common.jurisdiction import within

Document = dict[str, Any]


# The local MongoDB-wire server materialises every match before it sorts and limits, so a query may only ever
# match a few hundred documents: a township is listed village by village, a county only by a search term or
# a sparse fact (a disability level, deceased, merged) kept as a facet; anything wider is refused (search first).
LIST_DIRECTLY_FROM = 9  # township prefixes and below
MIN_NAME_ABOVE_TOWNSHIP = 2  # a surname alone matches thousands in a county
TOTAL_LIMIT = 1000
SPARSE_STATUSES = frozenset({"deceased", "merged"})
SEARCH_FIRST = (
    "县级及以上请先输入姓名（至少两个字）、身份证号码，或选择乡镇（街道）、伤残等级再查询 "
    "(above township level, narrow the list first: a name of two characters or more, an ID number, "
    "a township, or a disability level)"
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

    @property
    def filtered(self) -> bool:
        return bool(self.category or self.status or self.disability_level or self.key_contact is not None)


@dataclass(frozen=True)
class PersonResults:
    docs: list[Document]
    total: int | None  # None: more than one page, and counting them would mean fetching them all
    total_exact: bool
    next: str | None


async def find_persons(
    db: AsyncDatabase[Any], id_hash: Any, principal: Principal, search: PersonSearch, today: date
) -> PersonResults:
    """One page of people sorted by region, name and id, the cursor of the next page, and the total if cheap.

    Every query sent is an equality on an indexed field (and the jurisdiction key), matching a few hundred
    documents at most; the other conditions, the order and the page are applied here, where that is cheap.
    """
    scope = within(principal, search.region)["jurisdictions"]
    term = (search.q or "").strip()
    narrow: Document = {}  # the one indexed equality that keeps the match small
    if term:
        try:
            narrow["id_hash"] = id_hash(parse_id_number(term).value)
        except InvalidIdNumber:
            if len(scope) < LIST_DIRECTLY_FROM and len(term) < MIN_NAME_ABOVE_TOWNSHIP:
                raise Invalid("q", SEARCH_FIRST) from None
            narrow["name_prefixes"] = term
    elif search.disability_level:
        narrow["facets"] = f"{scope}|disability:{search.disability_level}"
    elif search.status in SPARSE_STATUSES:
        narrow["facets"] = f"{scope}|status:{search.status}"
    elif len(scope) < LIST_DIRECTLY_FROM:
        raise Invalid("q", SEARCH_FIRST)
    wanted = _matcher(search, today)
    after = after_cursor(search.after) if search.after else None
    if narrow:
        # The most selective condition first: SecantusDB narrows by the first indexed field it meets.
        found = await db.persons.find({**narrow, "jurisdictions": scope}, limit=TOTAL_LIMIT + 1).to_list()
        exact = len(found) <= TOTAL_LIMIT
        matching = sorted((doc for doc in found if wanted(doc)), key=_order)
        page = [doc for doc in matching if after is None or _order(doc) > _order(after)][: search.page_size + 1]
        total = len(matching) if exact else TOTAL_LIMIT
        return PersonResults(page[: search.page_size], total, exact, _next(page, search))
    return await _village_by_village(db, scope, wanted, after, search)


async def villages_of(db: AsyncDatabase[Any], scope: str) -> list[tuple[str, int]]:
    """The villages in a jurisdiction with how many live in each, in code order (from their townships' tallies:
    one document per township, found by a jurisdiction key; a village's scope asks for its township)."""
    townships = await db.townships.find({"jurisdictions": scope[:TOWNSHIP_DIGITS]}).to_list()
    return sorted(
        (village, residents)
        for township in townships
        for village, residents in township.get("villages", {}).items()
        if village.startswith(scope)
    )


async def _village_by_village(
    db: AsyncDatabase[Any], scope: str, wanted: Any, after: Document | None, search: PersonSearch
) -> PersonResults:
    """A township's list: each query is one village, and the walk stops when the page is full."""
    villages = await villages_of(db, scope)
    page: list[Document] = []
    for village, _ in villages:
        if after and village < after["region"]:
            continue
        people = await db.persons.find({"region": village}).to_list()
        page += sorted(
            (doc for doc in people if wanted(doc) and (after is None or _order(doc) > _order(after))), key=_order
        )
        if len(page) > search.page_size:
            break
    more = len(page) > search.page_size
    if search.filtered:
        total, exact = (None, False) if more or after else (len(page), True)
    else:  # the whole jurisdiction, unfiltered: the villages know how many live in each
        total = sum(residents for _, residents in villages)
        exact = True
    return PersonResults(page[: search.page_size], total, exact, _next(page, search))


async def names_of(db: AsyncDatabase[Any], principal: Principal, ids: list[str]) -> list[Document]:
    """The people with these ids in the caller's jurisdiction: the ids first, each an index lookup."""
    fields = {"name": 1, "region": 1, "status": 1}
    query = {"_id": {"$in": ids}, **within(principal)}
    return await db.persons.find(query, fields, limit=len(ids)).to_list()


def _order(doc: Document) -> tuple[str, str, str]:
    return (doc["region"], doc["name"], doc["_id"])


def _matcher(search: PersonSearch, today: date) -> Any:
    """The search's conditions as a test of one document (what a MongoDB filter would say)."""
    aged_from = born_on_or_before(today).isoformat()

    def wanted(doc: Document) -> bool:
        if search.category and search.category not in doc.get("categories", ()):
            return False
        if search.status and doc.get("status") != search.status:
            return False
        if search.disability_level and doc.get("disability_level") != search.disability_level:
            return False
        if search.key_contact is not None:
            is_key = bool(doc.get("key_contact_reasons")) or doc["birth_date"] <= aged_from
            return is_key is search.key_contact
        return True

    return wanted


def _next(page: list[Document], search: PersonSearch) -> str | None:
    return cursor_of(page[search.page_size - 1]) if len(page) > search.page_size else None


def cursor_of(doc: Document) -> str:
    """An opaque cursor: the sort key of the last row shown."""
    key = json.dumps([doc["region"], doc["name"], doc["_id"]], ensure_ascii=False)
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def after_cursor(cursor: str) -> Document:
    try:
        region, name, doc_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not all(isinstance(part, str) for part in (region, name, doc_id)):
            raise TypeError
    except (ValueError, TypeError, binascii.Error):
        raise Invalid(
            "after", "翻页参数无效，请从第一页重新查询 (invalid cursor: start again from the first page)"
        ) from None
    return {"region": region, "name": name, "_id": doc_id}


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
