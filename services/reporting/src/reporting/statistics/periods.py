"""Reporting periods (统计期): the whole history, a year, a quarter or a month, named as the API takes them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from vet_common.domain import CHINA, Invalid

ALL = "all"
_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$")


def periods_of(day: date) -> list[str]:
    """The counters an event of `day` adds to: the whole history, its year, its quarter and its month."""
    return [ALL, f"{day.year}", f"{day.year}-Q{(day.month - 1) // 3 + 1}", f"{day.year}-{day.month:02d}"]


@dataclass(frozen=True)
class Period:
    key: str
    kind: str  # all, year, quarter, month
    year: int = 0
    index: int = 0  # quarter 1-4 or month 1-12

    @property
    def first_day(self) -> date | None:
        if self.kind == "year":
            return date(self.year, 1, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.index - 2, 1)
        if self.kind == "month":
            return date(self.year, self.index, 1)
        return None

    @property
    def last_day(self) -> date | None:
        following = self.next()
        first = following.first_day if following else None
        return first - timedelta(days=1) if first else None

    def next(self) -> Period | None:
        if self.kind == "year":
            return Period(f"{self.year + 1}", "year", self.year + 1)
        if self.kind == "quarter":
            year, index = (self.year + 1, 1) if self.index == 4 else (self.year, self.index + 1)
            return Period(f"{year}-Q{index}", "quarter", year, index)
        if self.kind == "month":
            year, index = (self.year + 1, 1) if self.index == 12 else (self.year, self.index + 1)
            return Period(f"{year}-{index:02d}", "month", year, index)
        return None

    def later_until(self, today: date) -> list[str]:
        """The periods of the same kind after this one, up to the one holding `today`."""
        later: list[str] = []
        following = self.next()
        while following is not None and following.first_day is not None and following.first_day <= today:
            later.append(following.key)
            following = following.next()
        return later


def parse_period(text: str | None) -> Period:
    if not text or text == ALL:
        return Period(ALL, "all")
    match = _PERIOD.match(text.strip())
    if not match:
        raise Invalid(
            "period",
            f"统计期应为年（2026）、季度（2026-Q3）或月份（2026-07），收到“{text}” "
            "(period must be a year 2026, a quarter 2026-Q3 or a month 2026-07)",
        )
    year, quarter, month = match.groups()
    if quarter:
        return Period(text, "quarter", int(year), int(quarter))
    if month:
        return Period(text, "month", int(year), int(month))
    return Period(text, "year", int(year))


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in China, in UTC: what "as of that day" includes."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=CHINA).astimezone(UTC) - timedelta(microseconds=1)


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def event_day(value: datetime | str) -> date:
    """The day in China an envelope's time (as archived: ISO text) falls on."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return china_day(moment)
