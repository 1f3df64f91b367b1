"""The audit archive (审计档案库): every integration event received, once, in one hash chain in arrival order.

The archive is reporting's event store. Its entries are one stream whose versions are the positions 1, 2, 3 ...
in the order reporting saved them (the store's unique (stream, version) key means two workers can never fork
it), and each entry's hash covers its position, the hash before it, when it arrived and the whole envelope. So
an entry edited, deleted, inserted or moved breaks the chain where it happened. A seal (an HMAC with a key only
the deployment holds) over the head every so often makes even a rewrite of the whole chain, or a tail cut off
before the last seal, show. A receipt per event id, in the same transaction, makes each event archived once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.domain import DomainEvent

GENESIS_HASH = "0" * 64
ARCHIVE_NAMESPACE = uuid.UUID("0b6f4a8e-6d3c-4a55-8f0e-2b9d7f1c3a10")
ARCHIVE_ID = uuid.uuid5(ARCHIVE_NAMESPACE, "archive")
SEALS_ID = uuid.uuid5(ARCHIVE_NAMESPACE, "seals")


def receipt_id(event_id: str) -> uuid.UUID:
    return uuid.uuid5(ARCHIVE_NAMESPACE, f"receipt:{event_id}")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(position: int, previous_hash: str, archived_at: datetime, envelope: dict[str, Any]) -> str:
    return _digest(position, previous_hash, archived_at.isoformat(), envelope)


def chain_hashes(
    position: int, previous_hash: str, archived_at: datetime, envelopes: list[dict[str, Any]]
) -> list[str]:
    """The hashes of entries position+1, position+2 ... archived together after the entry hashed `previous_hash`:
    each is entry_hash of its own, with the time written out once for them all."""
    at, digests = archived_at.isoformat(), []
    for offset, envelope in enumerate(envelopes, start=1):
        previous_hash = _digest(position + offset, previous_hash, at, envelope)
        digests.append(previous_hash)
    return digests


def _digest(position: int, previous_hash: str, archived_at: str, envelope: dict[str, Any]) -> str:
    material = f"{position}|{previous_hash}|{archived_at}|{canonical(envelope)}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def seal_mac(key: bytes, number: int, position: int, head_hash: str, previous_mac: str, sealed_at: datetime) -> str:
    material = f"{number}|{position}|{head_hash}|{previous_mac}|{sealed_at.isoformat()}"
    return hmac.new(key, material.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class EntryArchived(DomainEvent):
    """One integration event as received; originator_version (and `position`) is its place in the archive."""

    position: int
    envelope: dict[str, Any]
    previous_hash: str
    hash: str


@dataclass(frozen=True)
class EventReceived(DomainEvent):
    """The receipt of an event id (its own stream, version 1): a second copy of that event collides."""

    event_id: str
    position: int


@dataclass(frozen=True)
class ArchiveSealed(DomainEvent):
    """Seal number originator_version: an HMAC over the archive's head at `position` and the seal before."""

    position: int
    head_hash: str
    previous_mac: str
    mac: str


@dataclass
class Problem:
    position: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "message": self.message}


@dataclass
class Verdict:
    """What `vet verify-archive` and GET /audit/verify say: intact or not, and where it is not."""

    entries: int = 0
    seals: int = 0
    sealed_through: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


class Unreadable:
    """A stored entry that cannot be decrypted or decoded: its bytes were changed outside the platform."""


MAX_PROBLEMS = 50


class ChainCheck:
    """Checks entries one by one in version order (streamed: an archive of millions is never in memory)."""

    def __init__(self, seals: list[ArchiveSealed], key: bytes) -> None:
        self.verdict = Verdict(seals=len(seals))
        self.expected = 1
        self.running = GENESIS_HASH
        self.sealed_heads = {seal.position: seal for seal in seals}
        self._check_seals(seals, key)

    def problem(self, position: int, message: str) -> None:
        if len(self.verdict.problems) < MAX_PROBLEMS:
            self.verdict.problems.append(Problem(position, message))

    def _check_seals(self, seals: list[ArchiveSealed], key: bytes) -> None:
        previous_mac, previous_position = "", 0
        for number, seal in enumerate(seals, start=1):
            if seal.originator_version != number:
                self.problem(seal.position, f"封印 {number} 缺失 (seal {number} is missing: seals were deleted)")
            expected = seal_mac(
                key, seal.originator_version, seal.position, seal.head_hash, previous_mac, seal.timestamp
            )
            if not hmac.compare_digest(expected, seal.mac):
                self.problem(seal.position, f"封印 {number} 无效 (seal {number} is not genuine: it was altered)")
            if seal.position < previous_position:
                self.problem(seal.position, f"封印 {number} 倒退 (seal {number} goes backwards)")
            previous_mac, previous_position = seal.mac, max(previous_position, seal.position)
        self.verdict.sealed_through = previous_position

    def entry(self, version: int, entry: EntryArchived | Unreadable) -> None:
        if version > self.expected:
            gap = f"{self.expected}" if version == self.expected + 1 else f"{self.expected}–{version - 1}"
            self.problem(self.expected, f"第 {gap} 条缺失 (entries {gap} were deleted)")
        self.expected = version + 1
        self.verdict.entries += 1
        if isinstance(entry, Unreadable):
            self.problem(
                version, f"第 {version} 条无法读取 (entry {version} cannot be read: its stored bytes were changed)"
            )
            self.running = ""  # unknown: the next entry is judged by its own stored previous hash
            return
        if entry.position != version:
            self.problem(
                version,
                f"第 {version} 条原为第 {entry.position} 条 (entry {version} was archived as entry {entry.position}: "
                "entries were moved or inserted)",
            )
        elif self.running and entry.previous_hash != self.running:
            self.problem(
                version,
                f"第 {version} 条与前一条不衔接 (entry {version} does not follow entry {version - 1}: "
                "an entry before it was deleted, inserted or moved)",
            )
        if entry_hash(entry.position, entry.previous_hash, entry.timestamp, entry.envelope) != entry.hash:
            self.problem(version, f"第 {version} 条内容被改动 (entry {version} was altered: its hash does not match)")
        seal = self.sealed_heads.get(version)
        if seal is not None and seal.head_hash != entry.hash:
            self.problem(
                version,
                f"第 {version} 条与封印 {seal.originator_version} 不符 (entry {version} differs from what seal "
                f"{seal.originator_version} sealed: the chain was rewritten)",
            )
        self.running = entry.hash

    def finish(self) -> Verdict:
        last, sealed = self.expected - 1, self.verdict.sealed_through
        if last < sealed:
            self.problem(
                last + 1,
                f"第 {last + 1}–{sealed} 条被删除 (entries {last + 1}–{sealed} were removed: the archive ends at "
                f"{last} but was sealed through {sealed})",
            )
        return self.verdict
