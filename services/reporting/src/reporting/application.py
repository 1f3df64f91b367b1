"""Reporting's application: appends every received integration event to the audit archive, once."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError, Tracking

from reporting.domain import ArchivedRecord
from vet_common.eventstore import ServiceApplication
from vet_contracts import IntegrationEvent


class ReportingApplication(ServiceApplication):
    def archive(self, event: IntegrationEvent, attempts: int = 3) -> bool:
        """Archive `event` with a Tracking record (source, source_position): False if it was already archived."""
        tracking = Tracking(event.upstream, event.source_position)
        for attempt in range(attempts):
            if self.has_processed(tracking):
                return False
            record = self.get_record(event.aggregate_id) or ArchivedRecord(
                aggregate_id=event.aggregate_id, source=event.source
            )
            record.archive(event.model_dump(mode="json"))
            try:
                return self.save_tracked(tracking, record)
            except IntegrityError:
                # Another worker archived to this record meanwhile (a rebalance): reload and retry.
                if attempt == attempts - 1:
                    raise
        return False

    def get_record(self, aggregate_id: str) -> ArchivedRecord | None:
        return self.get_or_none(ArchivedRecord.create_id(aggregate_id))  # type: ignore[no-any-return]
