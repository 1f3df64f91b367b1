"""What reporting consumes and publishes. It publishes nothing; it consumes every service's topic."""

from __future__ import annotations

from reporting.domain.archive import ArchiveSealed, EntryArchived, EventReceived
from reporting.domain.reports import ReportApproval
from vet_common.translation import TranslationTable

CONSUMES = ["registry", "outreach", "assistance"]

# The archive and the reports are reporting's own records; nothing of them is republished.
TRANSLATIONS = TranslationTable(
    source="reporting",
    published={},
    internal={
        EntryArchived,
        EventReceived,
        ArchiveSealed,
        ReportApproval.Submitted,
        ReportApproval.Resubmitted,
        ReportApproval.Approved,
        ReportApproval.Returned,
    },
)
