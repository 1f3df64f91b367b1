"""How outreach publishes on vet.outreach.v1: its domain events -> the events of vet_contracts.outreach."""

from __future__ import annotations

from outreach.domain.contacts import Contact
from vet_common.people import REPLICA_EVENTS
from vet_common.translation import Publish, TranslationTable
from vet_contracts import outreach as public

SOURCE = "outreach"

TRANSLATIONS = TranslationTable(
    source=SOURCE,
    published={
        # Findings stay in outreach: they may hold personal details.
        Contact.Recorded: Publish(
            public.ContactRecorded,
            lambda e, _: {
                "contact_id": str(e.originator_id),
                "person_id": e.person_id,
                "method": e.method,
                "contacted_on": e.contacted_on.isoformat(),
                "staff": e.staff,
                "needs_follow_up": e.needs_follow_up,
                "occasion": e.occasion,
                "campaign_id": e.campaign_id,
                "group_id": e.group_id,
            },
        ),
    },
    # The people replica mirrors the registry's events: republishing it would echo them.
    internal=REPLICA_EVENTS,
)
