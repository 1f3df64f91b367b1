"""Assistance commands over the event store."""

from __future__ import annotations

from uuid import UUID

from assistance.domain import Fund
from vet_common.domain import Actor
from vet_common.eventstore import ServiceApplication


class AssistanceApplication(ServiceApplication):
    def create_fund(self, *, name: str, region: str, year: int, budget_fen: int, actor: Actor) -> UUID:
        fund = Fund(name=name, region=region, year=year, budget_fen=budget_fen, actor=actor)
        self.save(fund)
        return fund.id

    def get_fund(self, fund_id: UUID) -> Fund | None:
        return self.get_or_none(fund_id)  # type: ignore[no-any-return]
