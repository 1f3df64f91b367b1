"""Raising policy alerts (政策预警): a daily run over everyone, or an officer's run over a jurisdiction."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from registry.alerts import AlertRules, AlertSubject, alerts_for
from registry.application import RegistryApplication


def subject_of(doc: dict[str, Any]) -> AlertSubject:
    status: Any = doc["status"] if doc["status"] in ("active", "deceased") else "transferred_out"
    return AlertSubject(
        person_id=doc["_id"],
        region=doc["region"],
        birth_date=date.fromisoformat(doc["birth_date"]),
        household=doc.get("household"),
        categories=frozenset(doc.get("categories", [])),
        status=status,
        confirmed_years=frozenset(doc.get("confirmed_years", [])),
        preferential_card=doc.get("preferential_card", "none"),
        disability_certificate=doc.get("disability_certificate", "none"),
    )


async def raise_due_alerts(
    registry: RegistryApplication,
    db: AsyncDatabase[Any],
    today: date,
    region_prefix: str = "",
    rules: AlertRules | None = None,
    batch_size: int = 500,
) -> int:
    """Raise every alert due within the lead time; each is raised once, so running twice raises nothing new."""
    rules = rules or AlertRules()
    raised = 0
    batch: list[dict[str, Any]] = []
    # Jurisdiction keys by equality (vet_common.jurisdiction); the daily run over everyone has no prefix.
    query: dict[str, Any] = {"status": "active", **({"jurisdictions": region_prefix} if region_prefix else {})}
    async for doc in db.persons.find(query):
        for alert in alerts_for(subject_of(doc), today, rules):
            batch.append(
                {
                    "person_id": alert.person_id,
                    "region": alert.region,
                    "kind": alert.kind.value,
                    "occasion": alert.occasion,
                    "due_on": alert.due_on,
                    "message": alert.message,
                }
            )
        if len(batch) >= batch_size:
            raised += await asyncio.to_thread(registry.raise_alerts, batch)
            batch = []
    if batch:
        raised += await asyncio.to_thread(registry.raise_alerts, batch)
    return raised
