"""Outreach read models in MongoDB: each part's projection, fed every event in one batch."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from outreach.projections.campaigns import CampaignsProjection
from outreach.projections.contacts import ContactsProjection
from outreach.projections.pairings import PairingsProjection
from outreach.projections.people import PeopleProjection
from outreach.projections.requests import RequestsProjection
from outreach.projections.schedule import ScheduleProjection
from outreach.projections.targeting import TargetFacetsProjection
from outreach.projections.todo import TodoProjection
from vet_common.eventstore import ServiceApplication
from vet_common.projector import Projection, ReadModelBatch


class OutreachProjection:
    def __init__(self, application: ServiceApplication) -> None:
        self.parts: list[Projection] = [
            PeopleProjection(),
            ContactsProjection(),
            RequestsProjection(application),
            CampaignsProjection(),
            TargetFacetsProjection(),
            ScheduleProjection(application),
            PairingsProjection(),
            TodoProjection(),
        ]

    async def setup(self, db: AsyncDatabase[Any]) -> None:
        for part in self.parts:
            await part.setup(db)

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        for part in self.parts:
            await part.apply(batch, event, position)
