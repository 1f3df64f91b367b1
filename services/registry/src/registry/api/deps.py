"""What every registry route shares: the application, jurisdiction checks and domain-error translation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends, HTTPException, status

from registry.application import AlreadyRegistered, NotFound, RegistryApplication
from registry.domain import NotActive, Person, PersonDeceased, TransferPending
from vet_common.api import get_application
from vet_common.auth import Principal, Role

Registry = Annotated[RegistryApplication, Depends(get_application)]
T = TypeVar("T")

CAN_EDIT = (Role.station_staff, Role.officer, Role.admin)
CAN_CORRECT = (Role.officer, Role.admin)

NOT_FOUND = "查无此人或不在本辖区 (no such person in your jurisdiction)"


def not_found(message: str = NOT_FOUND) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, message)


async def run(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Event-store work is blocking: keep it off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


async def visible_person(registry: RegistryApplication, person_id: UUID, principal: Principal) -> Person:
    person = await run(registry.get_person, person_id)
    if person is None or not principal.can_see(person.region):
        raise not_found()  # out-of-jurisdiction ids look exactly like unknown ones
    return person


@contextmanager
def domain_errors() -> Iterator[None]:
    """Domain refusals become answers a station worker can act on."""
    try:
        yield
    except NotFound as error:
        raise not_found() from error
    except (PersonDeceased, NotActive, TransferPending) as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except AlreadyRegistered as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except ValueError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": "body", "message": str(error)}]
        ) from error
