"""Transfers between jurisdictions: requested by the sending side, accepted or rejected by the receiving one."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field, field_validator

from registry import queries
from registry.api.deps import CAN_EDIT, Registry, run, visible_person
from registry.domain import Transfer
from vet_common.api import ReadModels, actor_of
from vet_common.auth import CurrentPrincipal, Principal, require_roles
from vet_common.domain import Refused, actor_from
from vet_common.jurisdiction import ensure_visible
from vet_common.openapi import problem
from vet_common.regions import InvalidRegion, full_name, validate_region_code

router = APIRouter(tags=["transfers"])


class TransferIn(BaseModel):
    person_id: UUID
    to_region: str = Field(description="12-digit code of the village or community the person moves to")
    reason: str = Field(min_length=1, max_length=500, description="迁移原因")

    @field_validator("to_region")
    @classmethod
    def _region(cls, value: str) -> str:
        try:
            return validate_region_code(value)
        except InvalidRegion as error:
            raise ValueError(str(error)) from None


class DecisionIn(BaseModel):
    note: str = Field(default="", max_length=500)


class TransferOut(BaseModel):
    id: str
    person_id: str
    from_region: str
    from_region_name: str | None
    to_region: str
    to_region_name: str | None
    reason: str
    status: str
    requested_by: dict[str, str]
    decided_by: dict[str, str] | None
    decision_note: str


class TransferCreated(BaseModel):
    id: UUID


def transfer_out(transfer: Transfer) -> TransferOut:
    return TransferOut(
        id=str(transfer.id),
        person_id=transfer.person_id,
        from_region=transfer.from_region,
        from_region_name=full_name(transfer.from_region),
        to_region=transfer.to_region,
        to_region_name=full_name(transfer.to_region),
        reason=transfer.reason,
        status=transfer.status,
        requested_by=actor_from(transfer.requested_by).model_dump(),
        decided_by=actor_from(transfer.decided_by).model_dump() if transfer.decided_by else None,
        decision_note=transfer.decision_note,
    )


@router.post(
    "/transfers",
    status_code=status.HTTP_201_CREATED,
    response_model=TransferCreated,
    responses=problem(404, "No such person in your jurisdiction"),
    dependencies=[Depends(require_roles(*CAN_EDIT))],
)
async def request_transfer(body: TransferIn, principal: CurrentPrincipal, registry: Registry) -> TransferCreated:
    """The sending jurisdiction asks the receiving one to take a person over."""
    await visible_person(registry, body.person_id, principal)
    transfer_id = await run(
        registry.request_transfer, body.person_id, body.to_region, body.reason.strip(), actor_of(principal)
    )
    return TransferCreated(id=transfer_id)


@router.get("/transfers", response_model=list[TransferOut])
async def list_transfers(
    principal: CurrentPrincipal,
    db: ReadModels,
    direction: Annotated[Literal["incoming", "outgoing"], Query()] = "incoming",
    status_: Annotated[Literal["pending", "accepted", "rejected"] | None, Query(alias="status")] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TransferOut]:
    docs = await queries.list_transfers(db, principal, direction, status_, limit)
    return [
        TransferOut(
            id=d["_id"],
            **{k: d[k] for k in ("person_id", "from_region", "to_region", "reason", "status", "requested_by")},
            from_region_name=full_name(d["from_region"]),
            to_region_name=full_name(d["to_region"]),
            decided_by=d.get("decided_by"),
            decision_note=d.get("decision_note", ""),
        )
        for d in docs
    ]


async def visible_transfer(registry: Registry, transfer_id: UUID, principal: Principal) -> Transfer:
    """Both sides see a transfer; anyone else gets 404."""
    transfer = await run(registry.get_transfer, transfer_id)
    sides = (transfer.to_region, transfer.from_region) if transfer else ()
    ensure_visible(principal, next((side for side in sides if principal.can_see(side)), None), "迁移申请")
    assert transfer is not None
    return transfer


async def receiving_transfer(registry: Registry, transfer_id: UUID, principal: Principal) -> Transfer:
    transfer = await visible_transfer(registry, transfer_id, principal)
    if not principal.can_see(transfer.to_region):
        raise Refused("只有迁入地可以接收或退回迁移申请 (only the receiving jurisdiction decides)")
    return transfer


@router.get("/transfers/{transfer_id}", response_model=TransferOut)
async def get_transfer(transfer_id: UUID, principal: CurrentPrincipal, registry: Registry) -> TransferOut:
    return transfer_out(await visible_transfer(registry, transfer_id, principal))


@router.post(
    "/transfers/{transfer_id}/accept", response_model=TransferOut, dependencies=[Depends(require_roles(*CAN_EDIT))]
)
async def accept_transfer(
    transfer_id: UUID, principal: CurrentPrincipal, registry: Registry, body: DecisionIn | None = None
) -> TransferOut:
    """The person's region changes; PersonTransferred tells the other services to move open work."""
    await receiving_transfer(registry, transfer_id, principal)
    note = (body or DecisionIn()).note
    return transfer_out(await run(registry.accept_transfer, transfer_id, note, actor_of(principal)))


@router.post(
    "/transfers/{transfer_id}/reject", response_model=TransferOut, dependencies=[Depends(require_roles(*CAN_EDIT))]
)
async def reject_transfer(
    transfer_id: UUID, body: DecisionIn, principal: CurrentPrincipal, registry: Registry
) -> TransferOut:
    await receiving_transfer(registry, transfer_id, principal)
    return transfer_out(await run(registry.reject_transfer, transfer_id, body.note, actor_of(principal)))
