"""The request ledger's lists above the county: a city's and the province's are read in windows planned from
day counts the projector keeps (SecantusDB materialises every match of one query). Pages follow one another
without gaps or repeats, the filters hold, and the counts follow each request from status to status."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from outreach.application import OutreachApplication
from outreach.application.requests import Acting
from outreach.domain.requests import RequestCategory, RequestGrade
from outreach.projections.requests import DAY_COUNTS, RequestSearch, find_requests
from outreach.service import definition
from vet_common.auth import Principal, Role
from vet_common.domain import Actor
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration

CITY = "4404"  # 珠海市
DISTRICTS = ("440402", "440403", "440404")
ACTOR = Actor(sub="staff-1", role="officer")
START = date(2020, 1, 1)


def officer(region: str) -> Principal:
    return Principal(sub="staff-1", name="王芳", roles=frozenset({Role.officer}), region=region)


def person(n: int) -> str:
    return f"6d2f0a11-0000-4000-8000-{n:012d}"


@pytest.fixture
def harness() -> ServiceHarness[OutreachApplication]:
    """30 requests of the city registered over two months, 8 of them resolved since."""
    harness = ServiceHarness[OutreachApplication](definition, today=START)
    feed = RegistryFeed()
    ids = []
    for n in range(30):
        harness.deliver(feed.registered(person(n), f"{DISTRICTS[n % 3]}001{1 + n % 4:03d}"))
        harness.clock.set(START + timedelta(days=2 * n))
        category = RequestCategory.petition if n % 5 == 0 else RequestCategory.medical
        request_id = harness.app.register_request(
            person_id=person(n),
            category=category,
            grade=RequestGrade.urgent if n % 2 else RequestGrade.ordinary,
            summary="",
            found_in=None,
            department=None,
            assignee=None,
            principal=officer(CITY),
            actor=ACTOR,
        )
        ids.append(request_id)
    by = Acting(officer(CITY), ACTOR)
    for request_id in ids[:8]:
        harness.app.accept_request(request_id, by, department=None, assignee=None, note="")
        harness.app.start_request(request_id, by, note="")
        harness.app.resolve_request(request_id, by, what_was_done="已协调解决")
    harness.ids = ids  # type: ignore[attr-defined]
    return harness


async def every_page(db: AsyncDatabase[Any], region: str, today: date, size: int = 4, **search: Any) -> list[str]:
    found: list[str] = []
    after = None
    for _ in range(40):
        rows, after = await find_requests(
            db, officer(region), RequestSearch(**search, after=after, page_size=size), today
        )
        assert len(rows) <= size
        found += [row["id"] for row in rows]
        if after is None:
            return found
    raise AssertionError("the pages never end")


def expected(harness: ServiceHarness[OutreachApplication], keep: Any) -> list[str]:
    requests = [harness.app.get_request(UUID(str(i))) for i in harness.ids]  # type: ignore[attr-defined]
    chosen = [r for r in requests if r is not None and keep(r)]
    return [str(r.id) for r in sorted(chosen, key=lambda r: (r.deadline.isoformat(), str(r.id)))]


async def test_the_citys_lists_page_through_windows_without_gaps_or_repeats(
    harness: ServiceHarness[OutreachApplication], mongo_db: AsyncDatabase[Any]
) -> None:
    db = mongo_db
    await harness.run_projections(db)
    today = START + timedelta(days=40)
    open_ones = expected(harness, lambda r: r.is_open)
    assert len(open_ones) == 22
    for region in (CITY, "44"):  # walked by counts
        assert await every_page(db, region, today) == open_ones
    overdue = expected(harness, lambda r: r.is_open and r.deadline < today)
    assert 0 < len(overdue) < 22
    assert await every_page(db, CITY, today, overdue=True) == overdue
    assert await every_page(db, CITY, today, overdue=False) == [i for i in open_ones if i not in overdue]
    assert await every_page(db, CITY, today, category="petition") == expected(
        harness, lambda r: r.is_open and r.category == "petition"
    )
    assert await every_page(db, CITY, today, status="resolved", size=3) == expected(harness, lambda r: not r.is_open)
    # A district's list is one query: the same rows.
    assert await every_page(db, DISTRICTS[0], today) == expected(
        harness, lambda r: r.is_open and r.region.startswith(DISTRICTS[0])
    )

    # The counts follow the requests: 22 open and 8 resolved in the city's, none of a district's (not counted).
    async def counted(listed: str) -> int:
        return sum(doc["n"] for doc in await db[DAY_COUNTS].find({"list": listed}).to_list())

    assert (await counted(f"req|{CITY}|open"), await counted(f"req|{CITY}|resolved")) == (22, 8)
    assert await counted(f"req|{CITY}|open@month") == 22
    assert await counted(f"req|{DISTRICTS[0]}|open") == 0
