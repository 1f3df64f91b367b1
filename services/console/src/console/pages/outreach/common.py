"""What outreach's pages share: who may manage, one page of a list with the filter's refusal beside the filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from console.clients import ApiRefused
from console.pages.registry.forms import TOP, Input
from console.web import Session, render
from vet_common.auth import Role

OFFICERS = (Role.officer, Role.admin)  # who pairs, reassigns and ends pairings, reviews county tables
PAGE_SIZE = 20


def given(**values: Any) -> dict[str, str]:
    """Query parameters without the blanks (the API's defaults stand for them)."""
    return {key: str(value) for key, value in values.items() if value not in (None, "")}


@dataclass
class Listing:
    """One page of a list as the API gave it, or the API's refusal of the filters (and its status)."""

    page: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def items(self) -> list[dict[str, Any]]:
        return list(self.page.get("items", []))


async def page_of(
    session: Session,
    path: str,
    params: dict[str, str],
    filters: tuple[str, ...] = ("region",),
    service: str = "outreach",
) -> Listing:
    """One page of a list; a filter the API refuses (a region outside the jurisdiction: 403, a malformed one:
    422) gives an empty page and the API's words beside the filter it names."""
    try:
        return Listing(await session.api(service).get_json(path, params=params))
    except ApiRefused as refusal:
        if refusal.status not in (403, 422):
            raise
        errors = {name: message for name, message in refusal.field_errors().items() if name in filters}
        if not errors:
            errors = {filters[0] if refusal.status == 403 and filters else TOP: refusal.message()}
        return Listing({"items": [], "next": None}, errors, refusal.status)


async def person_form(
    request: Request,
    session: Session,
    template: str,
    person_id: object,
    inputs: tuple[Input, ...],
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """A form about one person (a visit, a request), under the registry's record of them."""
    person = await session.api("registry").get_json(f"/persons/{person_id}")
    return render(request, template, status_code, person=person, inputs=inputs, values=values, errors=errors or {})
