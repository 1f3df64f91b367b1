"""Integration events the registry publishes on vet.registry.v1. No ID numbers, phones or addresses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from registry.domain import IdNumberClaim, Person
from vet_common.events import IntegrationEvent, from_domain_event

SOURCE = "registry"


class PersonRegisteredData(BaseModel):
    """data of PersonRegistered (schema_version 1)."""

    person_id: str
    categories: list[str]
    sex: str
    birth_year: int


EVENT_SCHEMAS: dict[str, type[BaseModel]] = {"PersonRegistered": PersonRegisteredData}


def translate(domain_event: Any, position: int) -> IntegrationEvent | None:
    if isinstance(domain_event, Person.Registered):
        data = PersonRegisteredData(
            person_id=str(domain_event.originator_id),
            categories=list(domain_event.categories),
            sex=domain_event.sex,
            birth_year=domain_event.birth_date.year,
        )
        return from_domain_event(domain_event, position, type="PersonRegistered", source=SOURCE, data=data)
    if isinstance(domain_event, IdNumberClaim.Claimed):
        return None  # internal uniqueness guard
    raise TypeError(f"no integration mapping for {type(domain_event).__qualname__}")
