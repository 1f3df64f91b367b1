"""Assistance's read side: one function per list the API serves, each limited to the caller's jurisdiction.

Each query is an equality on an indexed field with the jurisdiction key, sorted by the document's `key` and paged
by it (keyset: `after` is the last key of the page before), so its match set is one fund's, one person's or one
step's documents of a region, never a whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from assistance.domain import EnrolmentRoll
from assistance.rules import FundKind
from vet_common.auth import Principal
from vet_common.jurisdiction import region_keys, within

Document = dict[str, Any]


@dataclass(frozen=True)
class Page:
    docs: list[Document]
    next: str | None


async def page_of(db: AsyncDatabase[Any], collection: str, query: Document, after: str | None, page_size: int) -> Page:
    if after:
        query = {**query, "key": {"$gt": after}}
    docs = await db[collection].find(query).sort("key", 1).limit(page_size + 1).to_list()
    more = len(docs) > page_size
    docs = docs[:page_size]
    return Page(docs, docs[-1]["key"] if more else None)


@dataclass(frozen=True, kw_only=True)
class ApplicationSearch:
    fund_id: str | None = None
    person_id: str | None = None
    status: str | None = None
    waiting_for: str | None = None
    region: str | None = None
    after: str | None = None
    page_size: int = 20


async def find_applications(db: AsyncDatabase[Any], principal: Principal, search: ApplicationSearch) -> Page:
    query: Document = within(principal, search.region)
    for field in ("fund_id", "person_id", "status", "waiting_for"):
        value = getattr(search, field)
        if value is not None:
            query[field] = value
    return await page_of(db, "applications", query, search.after, search.page_size)


async def find_funds(
    db: AsyncDatabase[Any], principal: Principal, region: str | None, after: str | None, page_size: int
) -> Page:
    """The funds of the caller's jurisdiction (or part of it), or with no region asked: also those of the
    regions above it that cover it (a township station applies to its county's funds)."""
    if region:
        return await page_of(db, "funds", within(principal, region), after, page_size)
    above = region_keys(principal.region)[:-1]
    query = {"$or": [within(principal), {"region": {"$in": above}}]} if above else within(principal)
    return await page_of(db, "funds", query, after, page_size)


@dataclass(frozen=True)
class LedgerDocs:
    applications: list[Document]
    enrolments: list[Document]
    paid: dict[str, list[tuple[str, int]]]  # enrolment id -> (month, amount) of each released payroll line


async def ledger(db: AsyncDatabase[Any], principal: Principal, person_id: str) -> LedgerDocs:
    """A person's benefit ledger (个人受助台账): their applications and enrolments in the caller's view, and what
    released payrolls paid each enrolment (from the payroll documents of the enrolment's share of the roll: one a
    month, whatever the payroll's size)."""
    scope = within(principal)
    applications = await db.applications.find({"person_id": person_id, **scope}).sort("key", 1).to_list(1000)
    enrolments = await db.enrolments.find({"person_id": person_id, **scope}).to_list(100)
    paid: dict[str, list[tuple[str, int]]] = {}
    for enrolment in enrolments:
        enrolment_id = enrolment["_id"]
        query = {"fund_id": enrolment["fund_id"], "share": UUID(enrolment_id).int % EnrolmentRoll.SHARES}
        shares = db.payroll_shares.find({**query, "status": "released"}, {"month": 1, f"paid.{enrolment_id}": 1})
        paid[enrolment_id] = [
            (doc["month"], doc["paid"][enrolment_id])
            for doc in await shares.sort("month", 1).to_list(600)
            if enrolment_id in doc.get("paid", {})
        ]
    return LedgerDocs(applications, enrolments, paid)


async def find_enrolments(
    db: AsyncDatabase[Any],
    principal: Principal,
    fund_id: str | None,
    status: str | None,
    after: str | None,
    page_size: int,
) -> Page:
    query: Document = within(principal)
    if fund_id:
        query["fund_id"] = fund_id
    if status:
        query["status"] = status
    return await page_of(db, "enrolments", query, after, page_size)


async def payrolls_of_month(
    db: AsyncDatabase[Any], principal: Principal, month: str
) -> list[tuple[Document, Document | None]]:
    """Each regular-entitlement fund of the caller's jurisdiction for the month's year, with its payroll of the
    month if computed: what shows whether everyone is paid on time (按时兑现). Two range lookups: the funds by
    their key (year, kind), their payrolls by fund and month."""
    prefix = f"{month[:4]}|{FundKind.regular_entitlement.value}|"
    funds = await db.funds.find({**within(principal), "key": {"$gte": prefix, "$lt": prefix + "~"}}).to_list(200)
    ids = [fund["_id"] for fund in funds]
    query = {"fund_id": {"$in": ids}, "key": {"$gte": f"{month}|", "$lt": f"{month}|~"}}
    payrolls = {doc["fund_id"]: doc for doc in await db.payrolls.find(query).to_list(200)} if ids else {}
    return [(fund, payrolls.get(fund["_id"])) for fund in funds]
