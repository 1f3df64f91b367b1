"""What reporting consumes and publishes. It publishes nothing yet; it consumes every service's topic."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from vet_common.events import IntegrationEvent

CONSUMES = ["registry", "outreach", "assistance"]
# Which kind of record an upstream event describes, for the counts by region.
KIND_BY_TYPE = {"PersonRegistered": "person", "VisitRecorded": "visit", "FundCreated": "fund"}
EVENT_SCHEMAS: dict[str, type[BaseModel]] = {}


def translate(domain_event: Any, position: int) -> IntegrationEvent | None:
    return None  # the archive is reporting's own record; nothing of it is republished
