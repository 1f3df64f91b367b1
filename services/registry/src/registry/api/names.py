"""Names for ids (姓名): what a list of another service (a caseload, the request ledger) shows beside each id.

The other services keep no names (events carry none), so the console asks here once for a whole page of ids.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from registry import queries
from vet_common.api import ReadModels
from vet_common.auth import CurrentPrincipal
from vet_common.regions import full_name

router = APIRouter(tags=["persons"])
MAX_NAMES = 200


class NamesIn(BaseModel):
    ids: list[UUID] = Field(min_length=1, max_length=MAX_NAMES, description="The people of one page of a list")


class NameOut(BaseModel):
    id: UUID
    name: str
    region: str
    region_name: str | None
    status: str


@router.post("/persons/names", response_model=list[NameOut])
async def names(body: NamesIn, principal: CurrentPrincipal, db: ReadModels) -> list[NameOut]:
    """The name, region and status of each id in your jurisdiction; ids outside it (or no one's) are left out,
    as an unknown id is. No ID or phone number: nothing here needs a purpose."""
    docs = await queries.names_of(db, principal, [str(person_id) for person_id in body.ids])
    return [
        NameOut(
            id=doc["_id"],
            name=doc["name"],
            region=doc["region"],
            region_name=full_name(doc["region"]),
            status=doc["status"],
        )
        for doc in docs
    ]
