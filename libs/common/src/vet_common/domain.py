"""The domain kit every service builds on: who acted, named refusals, the clock, derived ids.

Domain and application code raise the errors below and never a bare ValueError for a refusal: one exception
handler in `vet_common.api` turns them into 404/409/403/422, so a bug is never mistaken for bad input.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from vet_contracts import SYSTEM_ACTOR, Actor

__all__ = [
    "CHINA",
    "SYSTEM_ACTOR",
    "Actor",
    "Clock",
    "Conflict",
    "DomainError",
    "FixedClock",
    "Invalid",
    "NotFound",
    "PreconditionFailed",
    "Refused",
    "SystemClock",
    "actor_from",
    "derived_id",
]

CHINA = ZoneInfo("Asia/Shanghai")


def actor_from(value: Actor | Mapping[str, str] | None) -> Actor:
    """The Actor of a stored event: events written before Actor was a type hold a plain mapping."""
    if value is None:
        return SYSTEM_ACTOR
    if isinstance(value, Actor):
        return value
    return Actor(sub=str(value["sub"]), role=str(value.get("role", "")))


# Refusals --------------------------------------------------------------------------------------------------------


class DomainError(Exception):
    """A refusal a caller can act on. `message` is Chinese first, English in brackets; `extra` goes in the body."""

    status_code = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFound(DomainError):
    """No such record, or not in the caller's jurisdiction (the two look the same from outside)."""

    status_code = 404


class Conflict(DomainError):
    """The record's state does not allow this now (already decided, deceased, a transfer pending ...)."""

    status_code = 409


class PreconditionFailed(DomainError):
    """The caller changed a record from a stale screen: the version it saw (If-Match) is not the current one."""

    status_code = 412


def ensure_version(version: int, expected: int | None, what: str = "记录", english: str = "record") -> None:
    """PreconditionFailed (412) when the caller changes a record from a stale screen (If-Match)."""
    if expected is not None and version != expected:
        raise PreconditionFailed(
            f"{what}已被他人修改（当前第 {version} 版，您看到的是第 {expected} 版），请刷新后重试 "
            f"(the {english} changed since you loaded it: version {version}, not {expected})",
            version=version,
        )


class Refused(DomainError):
    """The caller's role or jurisdiction does not allow this."""

    status_code = 403


class Invalid(DomainError):
    """A value that cannot be right, attached to the field it is about."""

    status_code = 422

    def __init__(self, field: str, message: str, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.field = field


# The clock -------------------------------------------------------------------------------------------------------


class Clock(Protocol):
    """Time as the platform sees it: `now` in UTC for storage, `today` in China for dates people enter."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The machine's clock (which `time-machine` freezes in tests that need the real one)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(CHINA).date()


class FixedClock:
    """A clock that stands still until told to move: for unit tests and reproducible runs."""

    def __init__(self, now: datetime | date) -> None:
        if not isinstance(now, datetime):  # a date means noon in China that day
            now = datetime(now.year, now.month, now.day, 12, tzinfo=CHINA)
        if now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = now.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.astimezone(CHINA).date()

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, now: datetime | date) -> None:
        self._now = FixedClock(now)._now


# Derived ids -----------------------------------------------------------------------------------------------------


def derived_id(kind: str, *parts: object) -> uuid.UUID:
    """The id of an aggregate that guards something ("paid once", "one record per ID number", an idempotency
    key): the same parts always give the same id, so a second creation collides in the event store."""
    if not parts:
        raise ValueError("derived_id needs at least one part besides the kind")
    return uuid.uuid5(uuid.NAMESPACE_OID, f"{kind}:" + ":".join(str(part) for part in parts))
