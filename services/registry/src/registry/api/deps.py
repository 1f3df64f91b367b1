"""What every registry route shares: the application, the roles that may change records, visibility."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends

from registry.application import RegistryApplication
from registry.domain import Person
from vet_common.api import get_application
from vet_common.auth import Principal, Role
from vet_common.domain import Refused
from vet_common.jurisdiction import ensure_visible

Registry = Annotated[RegistryApplication, Depends(get_application)]
T = TypeVar("T")

CAN_EDIT = (Role.station_staff, Role.officer, Role.admin)
CAN_CORRECT = (Role.officer, Role.admin)


async def run(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Event-store work is blocking: keep it off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


async def visible_person(registry: RegistryApplication, person_id: UUID, principal: Principal) -> Person:
    """The person, or 404 when unknown or outside the caller's jurisdiction (the two look the same)."""
    person = await run(registry.get_person, person_id)
    ensure_visible(principal, person.region if person else None, "人")
    assert person is not None
    return person


def correction_by(principal: Principal, reason: str | None) -> str | None:
    """A correction of a deceased person's record is an officer's, and says why."""
    reason = (reason or "").strip() or None
    if reason and not principal.has_role(*CAN_CORRECT):
        raise Refused("只有业务科室人员可以更正已故人员档案 (officers only)")
    return reason
