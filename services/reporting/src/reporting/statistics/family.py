"""What a topic's statistics are made of: a family reads the events of one kind and says what they count.

Adding a topic is one module with one Family: it names its events and turns each into an Effect. The tally,
the counters the projector keeps, the figures as of a date and the exports are the same for every topic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class Standing:
    """What one subject (a person, an application ...) adds to the figures of its region while it stays so.

    Counts are keyed "dimension.value" ("category.disabled_soldier") or a plain name ("people")."""

    region: str
    counts: Mapping[str, int]
    # The day it counts on, for what happened once but may be corrected or withdrawn later (a contact: its
    # correction moves it to another month, its withdrawal takes it out of its own); None for a stock.
    day: date | None = None
    # The part of the topic it counts in instead of the whole (one fund, one campaign): figures of their own,
    # read with ?fund= or ?campaign=, in documents of their own so a region's document does not grow with every
    # fund. A family counting something in the whole and in a part says so twice.
    part: str | None = None


@dataclass(frozen=True)
class Flow:
    """Something that happened once (a registration, an amount disbursed): added to `region`'s figures."""

    region: str
    key: str
    amount: int = 1
    part: str | None = None  # as Standing.part


@dataclass(frozen=True)
class Effect:
    """What one event changes. Each of `standings` replaces its subject's previous standing (None: it no longer
    counts); flows are added. Both count in the periods of `day` (a dated standing in its own) and in the whole
    history."""

    day: date
    standings: Mapping[str, Standing | None] = field(default_factory=dict)
    flows: Sequence[Flow] = field(default_factory=tuple)
    # Facts a later event of the subject needs and does not carry (when a request was registered, its
    # deadline): remembered like a standing, counted nowhere. Numbers only (a date as its ordinal).
    notes: Mapping[str, Mapping[str, int] | None] = field(default_factory=dict)


# What a family knows of its subjects when it reads an event: the counts of a subject's standing (or its note),
# or None.
Known = Callable[[str], Mapping[str, int] | None]


@dataclass(frozen=True)
class Measure:
    """A column of the topic's table: its key, Chinese header, and whether it is an amount in fen."""

    key: str
    label: str
    money: bool = False
    flow: bool = False  # something that happened (counted in its period); else a stock (at the period's end)
    derived: bool = False  # computed from the others (a rate, an average): never summed
    # count (of people or cases: suppressed when published), fen, ratio, days, or tables (counties' summary
    # tables); empty: fen for money, ratio if derived, else count
    unit: str = ""
    whole_only: bool = False  # a column of the whole topic, not of one of its parts (a fund's kind)

    @property
    def units(self) -> str:
        return self.unit or ("fen" if self.money else "ratio" if self.derived else "count")


class Family(Protocol):
    topic: str  # the {topic} of GET /stats/{topic}
    title: str  # Chinese title of the table
    event_types: frozenset[str]
    part_name: str | None  # the query parameter naming one part (fund, campaign), if the topic has parts
    # The event types whose subjects depend on a note they read (a withdrawal's quarter on its contact's
    # note): the projector loads subjects in rounds for those.
    chained: frozenset[str]

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        """Subjects (of this family) whose standing `effect` looks at, beside those it changes."""
        ...

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None: ...

    def measures(self) -> Sequence[Measure]: ...

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]: ...

    def open_measures(self, keys: Iterable[str]) -> Sequence[Measure]: ...


def part_topic(topic: str, part: str | None) -> str:
    """The counters' topic of one part of a topic ("funds/<fund id>"), or of the whole topic."""
    return f"{topic}/{part}" if part else topic


class Basics:
    """What most families share: no parts, no other subjects read, no derived figures, no open columns."""

    part_name: str | None = None
    chained: frozenset[str] = frozenset()

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        return ()

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]:
        return {}

    def open_measures(self, keys: Iterable[str]) -> Sequence[Measure]:
        """Columns named by the data (a campaign's target groups), beside the fixed ones."""
        return ()


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
