"""Names beside ids: the other services' lists carry person ids only (their events carry no names), so a page
asks the registry once for the names of all the people it shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from console.clients import ApiRefused, ServiceUnavailable
from console.web import Session

MAX_NAMES = 200  # as the registry's POST /persons/names


async def names_of(session: Session, ids: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """person id -> {name, region, region_name, status} for those in the user's jurisdiction; empty when the
    registry cannot be asked (the list still shows, with links to the people's pages)."""
    unique = list(dict.fromkeys(str(person_id) for person_id in ids if person_id))[:MAX_NAMES]
    if not unique:
        return {}
    try:
        rows = await session.api("registry").post_json("/persons/names", {"ids": unique})
    except (ServiceUnavailable, ApiRefused):
        return {}
    return {str(row["id"]): row for row in rows}


def name_in(names: dict[str, dict[str, Any]], person_id: Any) -> str:
    """The person's name, or a neutral word when the registry did not give it."""
    return str(names.get(str(person_id), {}).get("name") or "（姓名未取到）")
