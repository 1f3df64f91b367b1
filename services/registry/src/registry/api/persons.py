"""Registering, finding and reading people (建档立卡, 一人一档)."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import unquote
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response, status
from pydantic import BaseModel, Field

from registry import queries
from registry.api.deps import CAN_EDIT, Registry, run, visible_person
from registry.api.views import REVEALABLE, PersonOut, PersonPage, list_item, person_view
from registry.application import RegistryApplication
from registry.domain import Category, PersonStatus, mask_account_number
from registry.queries import PersonSearch
from registry.validation import PersonData
from vet_common.api import AppClock, ReadModels, actor_of
from vet_common.auth import CurrentPrincipal, Principal, Role, require_roles
from vet_common.domain import Invalid, NotFound, Refused, actor_from
from vet_common.idnumber import mask_id_number, mask_phone
from vet_common.openapi import problem

router = APIRouter(tags=["persons"])
MAX_PAGE_SIZE = 100
CAN_REVEAL = (Role.station_staff, Role.officer, Role.admin)


class Created(BaseModel):
    id: UUID


@router.post(
    "/persons",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses=problem(409, "The ID number already has a record: existing_id is its id"),
    dependencies=[Depends(require_roles(*CAN_EDIT))],
)
async def register_person(body: PersonData, principal: CurrentPrincipal, registry: Registry) -> Created:
    """Register a person. Sex and birth date may be left out: they come from the ID number."""
    if not principal.can_see(body.region):
        raise Refused(f"只能登记本辖区（{principal.region}）的人员 (you may only register people in your jurisdiction)")
    person_id = await run(registry.register_person, body.to_registration(), actor_of(principal))
    return Created(id=person_id)


class PersonSearchIn(BaseModel):
    """The same search as GET /persons, in a body: an ID number searched this way stays out of URLs and logs."""

    region: str | None = Field(default=None, description="Region prefix within your jurisdiction")
    category: Category | None = None
    key_contact: bool | None = Field(default=None, description="Only key contacts (true) or only others (false)")
    status: PersonStatus | None = None
    disability_level: int | None = Field(default=None, ge=1, le=10)
    q: str | None = Field(default=None, max_length=50, description="A name (or its beginning), or an exact ID number")
    after: str | None = Field(default=None, max_length=400, description="`next` of the page before")
    page_size: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)

    def search(self) -> PersonSearch:
        return PersonSearch(
            region=self.region,
            category=self.category.value if self.category else None,
            key_contact=self.key_contact,
            status=self.status.value if self.status else None,
            disability_level=self.disability_level,
            q=self.q,
            after=self.after,
            page_size=self.page_size,
        )


async def person_page(
    search: PersonSearch, principal: Principal, registry: RegistryApplication, db: Any, today: date
) -> PersonPage:
    found = await queries.find_persons(db, registry.id_number_hash, principal, search, today)
    return PersonPage(
        items=[list_item(doc, today) for doc in found.docs],
        total=found.total,
        total_exact=found.total_exact,
        page_size=search.page_size,
        next=found.next,
    )


OUTSIDE = problem(403, "A region outside your jurisdiction was asked for")


@router.get("/persons", response_model=PersonPage, responses=OUTSIDE)
async def find_persons(
    principal: CurrentPrincipal,
    registry: Registry,
    db: ReadModels,
    clock: AppClock,
    region: Annotated[str | None, Query(description="Region prefix within your jurisdiction")] = None,
    category: Annotated[Category | None, Query()] = None,
    key_contact: Annotated[bool | None, Query(description="Only key contacts (true) or only others (false)")] = None,
    status_: Annotated[PersonStatus | None, Query(alias="status")] = None,
    disability_level: Annotated[int | None, Query(ge=1, le=10)] = None,
    q: Annotated[
        str | None, Query(max_length=50, description="A name (or its beginning). ID numbers: POST /persons/search")
    ] = None,
    after: Annotated[str | None, Query(max_length=400, description="`next` of the page before")] = None,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    page: Annotated[int | None, Query(include_in_schema=False)] = None,
) -> PersonPage:
    """Find people in your jurisdiction, sorted by region and name, a page at a time (`after` = `next`).

    A township lists directly; above it, narrow the list first (a name, an ID number, a township ...)."""
    if page not in (None, 1):
        raise Invalid("page", "请用 after 参数翻页（取上一页返回的 next） (use after= with the previous page's next)")
    body = PersonSearchIn(
        region=region,
        category=category,
        key_contact=key_contact,
        status=status_,
        disability_level=disability_level,
        q=q,
        after=after,
        page_size=page_size,
    )
    return await person_page(body.search(), principal, registry, db, clock.today())


@router.post("/persons/search", response_model=PersonPage, responses=OUTSIDE)
async def search_persons(
    body: PersonSearchIn, principal: CurrentPrincipal, registry: Registry, db: ReadModels, clock: AppClock
) -> PersonPage:
    """GET /persons with the search in the body: use it for ID numbers, which must not appear in URLs."""
    return await person_page(body.search(), principal, registry, db, clock.today())


@router.get(
    "/persons/{person_id}",
    response_model=PersonOut,
    responses={
        200: {
            "description": "The record",
            "headers": {
                "ETag": {
                    "description": 'The record\'s version, e.g. "3": send it back in If-Match with a change',
                    "schema": {"type": "string"},
                }
            },
        },
        **problem(403, "Your role may not reveal personal data"),
    },
)
async def get_person(
    person_id: UUID,
    response: Response,
    principal: CurrentPrincipal,
    registry: Registry,
    clock: AppClock,
    reveal: Annotated[
        str | None,
        Query(description="id_number,phone,payment_account: show in clear (needs X-Purpose; in the access log)"),
    ] = None,
    as_of: Annotated[datetime | None, Query(description="ISO time: the record as it was then")] = None,
    purpose: Annotated[str | None, Header(alias="X-Purpose", max_length=200)] = None,
) -> PersonOut:
    """The whole record. ID and phone numbers are masked unless revealed for a stated purpose."""
    person = await visible_person(registry, person_id, principal)
    purpose = header_text(purpose)
    fields = frozenset(f.strip() for f in (reveal or "").split(",") if f.strip())
    if fields:
        if unknown := fields - set(REVEALABLE):
            raise Invalid("reveal", f"只能显示 {'、'.join(REVEALABLE)} (cannot reveal {', '.join(sorted(unknown))})")
        if not principal.has_role(*CAN_REVEAL):
            raise Refused("您的角色不能查看完整身份证号码、电话或账号 (your role may not reveal personal data)")
        if not (purpose or "").strip():
            raise Invalid("X-Purpose", "请在 X-Purpose 请求头说明查看用途 (state the purpose in X-Purpose)")
    if as_of is not None:
        when = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        earlier = await run(registry.person_as_of, person_id, when)
        if earlier is None:
            raise NotFound("该时间点尚无此档案 (the record did not exist at that time)")
        person = earlier
    if fields:
        await run(registry.reveal, person, sorted(fields), (purpose or "").strip(), actor_of(principal))
    # The version a change sends back in If-Match, so two stale screens cannot both win.
    response.headers["ETag"] = f'"{person.version}"'
    return person_view(person, clock.today(), fields)


def header_text(value: str | None) -> str | None:
    """HTTP headers arrive as latin-1: recover UTF-8 Chinese text, and accept percent-encoding too."""
    if value is None:
        return None
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("latin-1").decode("utf-8")
    return unquote(value)


class HistoryEntry(BaseModel):
    type: str
    at: datetime
    actor: dict[str, str]
    version: int | None
    changes: dict[str, Any]
    correction_reason: str | None = None


IGNORED = {"originator_id", "originator_version", "timestamp", "actor", "correction_reason", "originator_topic"}
MASKED = {"id_number": mask_id_number, "phone": mask_phone, "account_number": mask_account_number}


@router.get("/persons/{person_id}/history", response_model=list[HistoryEntry])
async def person_history(
    person_id: UUID, principal: CurrentPrincipal, registry: Registry, db: ReadModels
) -> list[HistoryEntry]:
    """Every change, oldest first: event type, time, who, the fields it changed; and every read in clear."""
    await visible_person(registry, person_id, principal)
    entries = []
    for event in await run(registry.person_events, person_id):
        changes = {
            key: (MASKED[key](value) if key in MASKED and value else _plain(value))
            for key, value in vars(event).items()
            if key not in IGNORED
        }
        entries.append(
            HistoryEntry(
                type=type(event).__name__,
                at=event.timestamp,
                actor=actor_from(getattr(event, "actor", None)).model_dump(),
                version=event.originator_version,
                changes=changes,
                correction_reason=getattr(event, "correction_reason", None),
            )
        )
    for access in await queries.reads_of_person(db, str(person_id)):
        entries.append(
            HistoryEntry(
                type="PersonalDataRevealed",
                at=access["at"],
                actor=access["actor"],
                version=None,
                changes={"fields": access["fields"], "purpose": access["purpose"]},
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
