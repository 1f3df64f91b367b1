"""Each service's pages are one module: a router, the menu entries it offers, what it adds to the to-do page.

A service whose API lands later is one more module in `MODULES`; the console's machinery does not change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter

from console.clients import ApiRefused, ServiceUnavailable
from console.web import Session
from vet_common.auth import Role


@dataclass(frozen=True)
class NavItem:
    """A menu entry, offered only to the roles that may use the page behind it (None: everyone signed in)."""

    label: str
    href: str
    roles: tuple[Role, ...] | None = None

    def allowed(self, session: Session) -> bool:
        return self.roles is None or session.has_role(*self.roles)


@dataclass
class TodoSection:
    """One box of the to-do page (工作台): a title, rows (each a text and a link), what to show when empty."""

    title: str
    rows: list[tuple[str, str]]
    empty: str = "暂无待办事项"
    more_href: str | None = None
    # Set when the service could not be asked: the box says so instead of failing the whole page.
    unavailable: str | None = None


TodoProvider = Callable[[Session], Awaitable[TodoSection | None]]


def unavailable_text(error: Exception) -> str:
    """What a box or a tab says instead of its content when its service could not be asked."""
    if isinstance(error, ServiceUnavailable):
        return f"{error.service_name}（{error.service}）暂时无法访问，请稍后重试"
    return f"无法读取：{error.message() if isinstance(error, ApiRefused) else error}"


@dataclass(frozen=True)
class PersonTab:
    """A tab another service adds to a person's page (联系记录, 诉求, 帮扶): its template, and what it shows,
    read from that service's API with the person's id."""

    key: str
    label: str
    template: str
    load: Callable[[Session, str], Awaitable[dict[str, Any]]]

    async def context(self, session: Session, person_id: str) -> dict[str, Any]:
        """The tab's content; the service's failure is said inside the tab, the rest of the page still shows."""
        try:
            return await self.load(session, person_id)
        except (ServiceUnavailable, ApiRefused) as error:
            return {"unavailable": unavailable_text(error)}


@dataclass
class PageModule:
    name: str
    router: APIRouter
    nav: list[NavItem] = field(default_factory=list)
    todo: list[TodoProvider] = field(default_factory=list)
    # Links this module adds to a person's page (href with {person_id}), e.g. outreach's "record a visit".
    person_actions: list[NavItem] = field(default_factory=list)
    person_tabs: list[PersonTab] = field(default_factory=list)
