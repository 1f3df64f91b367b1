"""Assistance domain: fund programmes with budgets (帮扶资金). Amounts are integers in fen."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor
from vet_common.people import PersonReplica

# The registry's people, as assistance knows them from vet.registry.v1, are kept in this store too.
__all__ = ["Fund", "PersonReplica"]


class Fund(Aggregate):
    """A fund programme owned by a region for one year."""

    class Created(Aggregate.Created):
        name: str
        region: str
        year: int
        budget_fen: int
        actor: Actor

    @event(Created)
    def __init__(self, *, name: str, region: str, year: int, budget_fen: int, actor: Actor) -> None:
        self.name = name
        self.region = region
        self.year = year
        self.budget_fen = budget_fen
        self.created_by = actor
