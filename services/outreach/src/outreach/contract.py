"""How outreach publishes on vet.outreach.v1: its domain events -> the events of vet_contracts.outreach."""

from __future__ import annotations

from outreach.domain import Visit
from vet_common.people import REPLICA_EVENTS
from vet_common.translation import Publish, TranslationTable
from vet_contracts import outreach as public

SOURCE = "outreach"

TRANSLATIONS = TranslationTable(
    source=SOURCE,
    published={
        # Notes stay in outreach: they may hold personal details.
        Visit.Recorded: Publish(
            public.VisitRecorded,
            lambda e, _: {
                "visit_id": str(e.originator_id),
                "person_id": e.person_id,
                "method": e.method,
                "visited_on": e.visited_on.isoformat(),
            },
        ),
    },
    # The people replica mirrors the registry's events: republishing it would echo them.
    internal=REPLICA_EVENTS,
)
