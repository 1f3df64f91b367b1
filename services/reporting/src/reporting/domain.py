"""Reporting domain: the audit archive, one hash-chained stream per upstream record."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

GENESIS_HASH = "0" * 64
ARCHIVE_NAMESPACE = uuid.UUID("0b6f4a8e-6d3c-4a55-8f0e-2b9d7f1c3a10")


def chain_hash(previous_hash: str, envelope: dict[str, Any]) -> str:
    canonical = json.dumps(envelope, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous_hash + canonical).encode("utf-8")).hexdigest()


class TamperedArchive(Exception):
    pass


class ArchivedRecord(Aggregate):
    """Every integration event received about one upstream record (a person, a visit, a fund ...), in order.

    Each entry carries the hash of the one before it, so altering or removing an entry breaks the chain.
    """

    @staticmethod
    def create_id(aggregate_id: str) -> uuid.UUID:
        return uuid.uuid5(ARCHIVE_NAMESPACE, aggregate_id)

    class Opened(Aggregate.Created):
        aggregate_id: str
        source: str

    class EventArchived(Aggregate.Event):
        envelope: dict[str, Any]
        previous_hash: str
        hash: str

    @event(Opened)
    def __init__(self, *, aggregate_id: str, source: str) -> None:
        self.aggregate_id = aggregate_id
        self.source = source
        self.last_hash = GENESIS_HASH
        self.entries: list[dict[str, Any]] = []

    def archive(self, envelope: dict[str, Any]) -> None:
        self._archive(envelope=envelope, previous_hash=self.last_hash, hash=chain_hash(self.last_hash, envelope))

    @event(EventArchived)
    def _archive(self, *, envelope: dict[str, Any], previous_hash: str, hash: str) -> None:
        self.entries.append({"envelope": envelope, "previous_hash": previous_hash, "hash": hash})
        self.last_hash = hash

    def verify(self) -> None:
        previous = GENESIS_HASH
        for position, entry in enumerate(self.entries, start=1):
            if entry["previous_hash"] != previous or entry["hash"] != chain_hash(previous, entry["envelope"]):
                raise TamperedArchive(f"archive of {self.aggregate_id} is broken at entry {position}")
            previous = entry["hash"]
