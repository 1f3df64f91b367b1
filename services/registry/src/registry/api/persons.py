"""Registering, finding and reading people (建档立卡, 一人一档)."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import unquote
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from registry.api.deps import CAN_EDIT, Registry, not_found, run, visible_person
from registry.api.views import REVEALABLE, PersonOut, PersonPage, list_item, person_view
from registry.application import AlreadyRegistered, Registration
from registry.domain import Category
from registry.validation import PersonData
from vet_common.api import ReadModels, actor_of, today_in_china
from vet_common.auth import CurrentPrincipal, Principal, Role, require_roles
from vet_common.idnumber import InvalidIdNumber, mask_id_number, mask_phone, parse_id_number
from vet_common.regions import InvalidRegion, validate_jurisdiction

router = APIRouter(tags=["persons"])
CAN_REVEAL = (Role.station_staff, Role.officer, Role.admin)


class Created(BaseModel):
    id: UUID


@router.post(
    "/persons",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses={409: {"description": "The ID number already has an active record; body has existing_id"}},
    dependencies=[Depends(require_roles(*CAN_EDIT))],
)
async def register_person(body: PersonData, principal: CurrentPrincipal, registry: Registry) -> Created | JSONResponse:
    """Register a person. Sex and birth date may be left out: they come from the ID number."""
    if not principal.can_see(body.region):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"只能登记本辖区（{principal.region}）的人员 (you may only register people in your jurisdiction)",
        )
    try:
        person_id = await run(registry.register_person, Registration.from_data(body), actor_of(principal))
    except AlreadyRegistered as error:
        return JSONResponse(
            {
                "detail": "该身份证号码已有在册档案，请勿重复登记 (this ID number is already registered)",
                "existing_id": str(error.existing_id),
            },
            status_code=status.HTTP_409_CONFLICT,
        )
    return Created(id=person_id)


def born_80_years_before(today: date) -> str:
    """Latest birth date of someone aged 80 or over today (29 February counts as 28 February)."""
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return date(today.year - 80, today.month, day).isoformat()


def scope(principal: Principal, region: str | None) -> str:
    """The region prefix to search: the caller's jurisdiction, or a part of it."""
    if not region:
        return validate_jurisdiction(principal.region)
    try:
        prefix = validate_jurisdiction(region)
    except InvalidRegion as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": "region", "message": str(error)}]
        ) from None
    if not principal.can_see(prefix):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"只能查询本辖区（{principal.region}）(outside your jurisdiction)"
        )
    return prefix


@router.get("/persons", response_model=PersonPage)
async def find_persons(
    principal: CurrentPrincipal,
    registry: Registry,
    db: ReadModels,
    region: Annotated[str | None, Query(description="Region prefix within your jurisdiction")] = None,
    category: Annotated[Category | None, Query()] = None,
    key_contact: Annotated[bool | None, Query(description="Only key contacts (true) or only others (false)")] = None,
    status_: Annotated[str | None, Query(alias="status", pattern="^(active|deceased|merged)$")] = None,
    disability_level: Annotated[int | None, Query(ge=1, le=10)] = None,
    q: Annotated[
        str | None, Query(max_length=50, description="A name (or its beginning), or an exact ID number")
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> PersonPage:
    """Find people in your jurisdiction. Results are sorted by region and name."""
    today = today_in_china()
    # The most selective condition goes first: the MongoDB-wire server we run locally (SecantusDB) uses the
    # index of the first indexed field it meets (an exact ID lookup went from 2 s to 4 ms); MongoDB ignores order.
    query: dict[str, Any] = {}
    if q and q.strip():
        q = q.strip()
        try:
            query["id_hash"] = registry.id_number_hash(parse_id_number(q).value)
        except InvalidIdNumber:
            query["name_prefixes"] = q
    query["jurisdictions"] = scope(principal, region)
    if category:
        query["categories"] = category.value
    if status_:
        query["status"] = status_
    if disability_level:
        query["disability_level"] = disability_level
    if key_contact is not None:
        is_key = [{"key_contact_reasons.0": {"$exists": True}}, {"birth_date": {"$lte": born_80_years_before(today)}}]
        query["$or" if key_contact else "$nor"] = is_key
    total = await db.persons.count_documents(query)
    docs = await db.persons.find(
        query, sort=[("region", 1), ("name", 1), ("_id", 1)], skip=(page - 1) * page_size, limit=page_size
    ).to_list()
    return PersonPage(items=[list_item(doc, today) for doc in docs], total=total, page=page, page_size=page_size)


@router.get("/persons/{person_id}", response_model=PersonOut)
async def get_person(
    person_id: UUID,
    principal: CurrentPrincipal,
    registry: Registry,
    reveal: Annotated[
        str | None, Query(description="id_number,phone: show in clear (needs X-Purpose; recorded in the access log)")
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
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                [
                    {
                        "field": "reveal",
                        "message": f"只能显示 id_number、phone (cannot reveal {', '.join(sorted(unknown))})",
                    }
                ],
            )
        if not principal.has_role(*CAN_REVEAL):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                "您的角色不能查看完整身份证号码或电话 (your role may not reveal personal data)",
            )
        if not (purpose or "").strip():
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                [
                    {
                        "field": "X-Purpose",
                        "message": "请在 X-Purpose 请求头说明查看用途 (state the purpose in X-Purpose)",
                    }
                ],
            )
    if as_of is not None:
        when = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        earlier = await run(registry.person_as_of, person_id, when)
        if earlier is None:
            raise not_found("该时间点尚无此档案 (the record did not exist at that time)")
        person = earlier
    if fields:
        await run(registry.record_access, person, sorted(fields), (purpose or "").strip(), actor_of(principal))
    return person_view(person, fields)


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
MASKED = {"id_number": mask_id_number, "phone": mask_phone}


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
                actor=event.actor,
                version=event.originator_version,
                changes=changes,
                correction_reason=getattr(event, "correction_reason", None),
            )
        )
    async for access in db.access_log.find({"person_id": str(person_id)}):
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
