"""How assistance publishes on vet.assistance.v1: its domain events -> the events of vet_contracts.assistance."""

from __future__ import annotations

from assistance.domain import Fund
from vet_common.people import REPLICA_EVENTS
from vet_common.translation import Publish, TranslationTable
from vet_contracts import assistance as public

SOURCE = "assistance"

TRANSLATIONS = TranslationTable(
    source=SOURCE,
    published={
        Fund.Created: Publish(
            public.FundCreated,
            lambda e, _: {"fund_id": str(e.originator_id), "name": e.name, "year": e.year, "budget_fen": e.budget_fen},
        ),
    },
    # The people replica mirrors the registry's events: republishing it would echo them.
    internal=REPLICA_EVENTS,
)
