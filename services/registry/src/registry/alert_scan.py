"""Raising policy alerts (政策预警): a daily run over everyone, or an officer's run over a jurisdiction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from registry.alerts import AlertRules, AlertSubject, alerts_for
from registry.application import RegistryApplication
from registry.queries import villages_of


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


async def active_people(db: AsyncDatabase[Any], region_prefix: str) -> AsyncIterator[dict[str, Any]]:
    """Everyone active (the daily run), or everyone active in a jurisdiction, walked village by village: the
    persons read model keeps no index on jurisdiction keys (projections.py), only on each person's region."""
    if not region_prefix:
        async for doc in db.persons.find({"status": "active"}):
            yield doc
        return
    for village, _ in await villages_of(db, region_prefix):
        async for doc in db.persons.find({"region": village, "status": "active"}):
            yield doc


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
    async for doc in active_people(db, region_prefix):
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
