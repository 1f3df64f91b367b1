"""What every assistance route shares: the application, who may do what, blocking work off the loop, and the shape
of a change to one record (its named command run off the loop with If-Match, the record's ETag answered)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, Protocol, TypeVar
from uuid import UUID

from fastapi import Depends, Response
from pydantic import BaseModel, Field, field_validator

from assistance import queries
from assistance.application import AssistanceApplication
from vet_common.api import IfMatch, get_application
from vet_common.auth import CurrentPrincipal, Role, require_roles

Assistance = Annotated[AssistanceApplication, Depends(get_application)]
T = TypeVar("T")


class Versioned(Protocol):
    version: int


R = TypeVar("R", bound=Versioned)
MAX_PAGE_SIZE = 100

# Who takes which step: stations file and accept, approvers approve, officers manage funds and pay.
FILING = Depends(require_roles(Role.station_staff, Role.officer, Role.admin))
APPROVING = Depends(require_roles(Role.approver, Role.admin))
MANAGING = Depends(require_roles(Role.officer, Role.admin))


async def run(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Event-store work is blocking: keep it off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="Why (审批意见、调整原因 ...)")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("请填写理由 (a reason is required)")
        return value.strip()


class Page(BaseModel):
    """One page of a list; `next` goes in `after` for the page after it (None: this was the last)."""

    items: list[dict[str, Any]]
    next: str | None


def page_out(page: queries.Page) -> Page:
    """The read-model documents as list items: `id` for `_id`, without what only the query uses."""
    hidden = ("_id", "jurisdictions", "key", "bucket", "version")
    return Page(
        items=[{"id": d["_id"], **{k: v for k, v in d.items() if k not in hidden}} for d in page.docs], next=page.next
    )


def etag(version: int) -> dict[str, str]:
    """The version a change sends back in If-Match, so two stale screens cannot both win."""
    return {"ETag": f'"{version}"'}


class Created(BaseModel):
    id: UUID


class Change:
    """A change to one record, as a route's dependency: `await change(assistance.accept, application_id)` runs
    the named command off the loop with the caller and the If-Match version (a record outside the caller's
    jurisdiction is the command's 404), and sets the ETag of the record it answers."""

    def __init__(
        self, response: Response, principal: CurrentPrincipal, assistance: Assistance, expected: IfMatch
    ) -> None:
        self.response, self.principal, self.assistance, self.expected = response, principal, assistance, expected

    async def __call__(self, command: Callable[..., R], *args: Any) -> R:
        record = await run(command, *args, self.principal, self.expected)
        self.response.headers.update(etag(record.version))
        return record


Changing = Annotated[Change, Depends()]
