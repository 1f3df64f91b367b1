"""What reporting consumes and publishes. It publishes nothing; it consumes every service's topic."""

from __future__ import annotations

from reporting.domain import ArchivedRecord
from vet_common.translation import TranslationTable
from vet_contracts import assistance, outreach, registry

CONSUMES = ["registry", "outreach", "assistance"]
# Which kind of record an upstream event describes, for the counts by region.
KIND_BY_TYPE = {
    registry.PersonRegistered.event_type(): "person",
    outreach.ContactRecorded.event_type(): "visit",
    assistance.FundCreated.event_type(): "fund",
}

# The archive is reporting's own record; nothing of it is republished.
TRANSLATIONS = TranslationTable(
    source="reporting", published={}, internal={ArchivedRecord.Opened, ArchivedRecord.EventArchived}
)
