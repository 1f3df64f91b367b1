"""The daily escalation of overdue requests (督办): the leading worker runs it at start and then once a day."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from outreach.application.requests import RequestCommands
from vet_common.eventstore import ServiceApplication
from vet_common.polling import daily
from vet_common.settings import Settings


async def escalate_overdue(application: RequestCommands, db: AsyncDatabase[Any], today: date) -> int:
    """Escalate every open request whose time ran out by `today`; returns how many were escalated.

    The read model names the candidates (equality on `open`, then the deadline passed); each is decided on the
    stored request, so a read model that lags cannot escalate one twice, and a
    second run on the same day escalates nothing.
    """
    candidates = db.requests.find({"open": True, "deadline": {"$lt": today.isoformat()}}, {"_id": 1})
    escalated = 0
    async for doc in candidates:
        if await asyncio.to_thread(application.escalate_if_due, UUID(doc["_id"]), today):
            escalated += 1
    return escalated


async def daily_escalation(
    application: ServiceApplication, db: AsyncDatabase[Any], settings: Settings, stop: asyncio.Event
) -> None:
    assert isinstance(application, RequestCommands)
    await daily(
        "daily escalation run: overdue requests escalated",
        lambda: escalate_overdue(application, db, application.clock.today()),
        stop,
    )
