"""Figures at the end of a day (日终数) from the counters and their day starts: a read, not a replay of the archive.

A counter document changes only when an archived event changes it, in arrival order. At the end of day D it
stood as it stands now if it last changed on or before D; otherwise as it stood at the start of the first later
day on which it changed, the image the projector kept then (projections.day_starts). That day is either in D's
month (an image per day, looked up by id) or the first change of a later month (an image per month, by id), so
a figure reads the documents a live one does and, for those changed since, at most a month's ids each.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from reporting.domain.archive import EntryArchived
from reporting.projections import PROGRESS
from reporting.queries import Figures, assemble, by_counter, counter_documents
from reporting.statistics.family import Family, part_topic
from reporting.statistics.periods import Period, china_day

log = logging.getLogger(__name__)
Document = Mapping[str, Any]


async def figures_at_end_of(
    db: AsyncDatabase[Any],
    family: Family,
    region: str,
    period: Period,
    day: date,
    entry_after: Callable[[int], Awaitable[EntryArchived | None]],
    part: str | None = None,
) -> Figures | None:
    """The figures as the archive stood at the end of `day` (China), as queries.figures_as_of replays them; None
    when the counters cannot tell: they have not counted all of that day yet (the caller replays), or a document
    was counted before day starts were kept (until `vet rebuild reporting`)."""
    if not await counted_through(db, day, entry_after):
        return None
    found = await counter_documents(db, part_topic(family.topic, part), region, period, day)
    if any("since" not in doc for doc in found):
        return None
    iso = day.isoformat()
    existing = [doc for doc in found if doc["since"] <= iso]  # the others did not exist yet
    images = await first_images_after(db, [doc for doc in existing if doc["day"] > iso], day)
    if images is None:
        return None
    then = [{**doc, "counts": images[doc["_id"]]["counts"]} if doc["_id"] in images else doc for doc in existing]
    figures = assemble(family, region, period, by_counter(then), day, part)
    figures.documents_read = len(then)
    return figures


async def counted_through(
    db: AsyncDatabase[Any], day: date, entry_after: Callable[[int], Awaitable[EntryArchived | None]]
) -> bool:
    """Whether the counters hold every entry archived by the end of `day`: one archived after it is counted, or
    the first not counted yet (`entry_after` the last counted position) arrived after it, or there is none."""
    progress = await db.progress.find_one({"_id": PROGRESS}) or {}
    if progress.get("day", "") > day.isoformat():
        return True
    following = await entry_after(int(progress.get("position", 0)))
    return following is None or china_day(following.timestamp) > day


async def first_images_after(db: AsyncDatabase[Any], changed: list[Document], day: date) -> dict[str, Document] | None:
    """For each counter document changed after `day`, its image at the start of the first day it changed on."""
    if not changed:
        return {}
    month_end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    wanted = {
        f"{doc['_id']}@{later}": doc["_id"]
        for doc in changed
        for later in days_between(day, min(month_end, date.fromisoformat(doc["day"])))
    }
    found = await earliest(db, wanted)
    rest = [doc for doc in changed if doc["_id"] not in found]
    wanted = {f"{doc['_id']}@{month}": doc["_id"] for doc in rest for month in months_between(day, doc["day"])}
    found.update(await earliest(db, wanted))
    if missing := [doc["_id"] for doc in changed if doc["_id"] not in found]:
        log.warning("counters without a day start after %s (%s): replaying the archive", day, missing[:3])
        return None
    return found


async def earliest(db: AsyncDatabase[Any], wanted: Mapping[str, str]) -> dict[str, Document]:
    """Of the images by id, the earliest of each counter document."""
    found: dict[str, Document] = {}
    if wanted:
        async for image in db.day_starts.find({"_id": {"$in": sorted(wanted)}}):
            counter = wanted[image["_id"]]
            if counter not in found or image["day"] < found[counter]["day"]:
                found[counter] = image
    return found


def days_between(day: date, last: date) -> list[str]:
    """The days after `day` up to `last`."""
    return [(day + timedelta(days=n)).isoformat() for n in range(1, (last - day).days + 1)]


def months_between(day: date, last: str) -> list[str]:
    """The months after `day`'s up to that of the ISO day `last`."""
    year, month, months = day.year, day.month, []
    while f"{year}-{month:02d}" < last[:7]:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        months.append(f"{year}-{month:02d}")
    return months
