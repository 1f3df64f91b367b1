"""Jurisdiction in one place: the region keys every read-model document carries, and the filter every list uses.

A document about something in region R carries `jurisdictions: region_keys(R)` (or `<role>_jurisdictions` when
it belongs to two regions, as a transfer does). A caller sees it when one of those keys equals the caller's
jurisdiction prefix: an equality on a multikey index, which every MongoDB-wire server narrows by index (an
anchored regex is a range scan that the local server does not narrow).
"""

from __future__ import annotations

from typing import Any

from vet_common.auth import Principal
from vet_common.domain import Invalid, NotFound, Refused
from vet_common.regions import LEVEL_LENGTHS, InvalidRegion, validate_jurisdiction

JURISDICTIONS = "jurisdictions"


_LENGTHS = tuple(sorted(LEVEL_LENGTHS))


def region_keys(region: str) -> list[str]:
    """Every jurisdiction prefix that contains `region`, from the province down to the code itself."""
    # Called for every document a projector writes: the lengths are sorted once, not on each call.
    return [region[:length] for length in _LENGTHS if length <= len(region)]


def scope(principal: Principal, requested: str | None = None, field: str = "region") -> str:
    """The prefix a list is limited to: the caller's jurisdiction, or the part of it that was asked for.

    Invalid (422) for a malformed code; Refused (403) for a region outside the caller's jurisdiction.
    """
    if not requested:
        return principal.region
    try:
        prefix = validate_jurisdiction(requested)
    except InvalidRegion as error:
        raise Invalid(field, str(error)) from None
    if not principal.can_see(prefix):
        raise Refused(f"只能查询本辖区（{principal.region}）的数据 (outside your jurisdiction)")
    return prefix


def within(principal: Principal, requested: str | None = None, key: str = JURISDICTIONS) -> dict[str, Any]:
    """The query filter limiting a read model to the caller's jurisdiction (or a part of it)."""
    return {key: scope(principal, requested)}


def ensure_visible(principal: Principal, region: str | None, what: str) -> None:
    """NotFound for a record outside the caller's jurisdiction: it must look exactly like an unknown id."""
    if region is None or not principal.can_see(region):
        raise NotFound(f"查无此{what}或不在本辖区 (no such {_ENGLISH.get(what, 'record')} in your jurisdiction)")


_ENGLISH = {
    "人": "person",
    "记录": "record",
    "迁移申请": "transfer",
    "导入任务": "import",
    "疑似重复记录": "case",
    "诉求": "request",
}
