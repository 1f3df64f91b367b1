"""What a topic's statistics are made of: a family reads the events of one kind and says what they count.

Adding a topic is one module with one Family: it names its events and turns each into an Effect. The tally,
the counters the projector keeps, the figures as of a date and the exports are the same for every topic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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


@dataclass(frozen=True)
class Flow:
    """Something that happened once (a registration, an amount disbursed): added to `region`'s figures."""

    region: str
    key: str
    amount: int = 1


@dataclass(frozen=True)
class Effect:
    """What one event changes. Each of `standings` replaces its subject's previous standing (None: it no longer
    counts); flows are added. Both count in the periods of `day` (a dated standing in its own) and in the whole
    history."""

    day: date
    standings: Mapping[str, Standing | None] = field(default_factory=dict)
    flows: Sequence[Flow] = field(default_factory=tuple)


# What a family knows of its subjects when it reads an event: the counts of a subject's standing, or None.
Known = Callable[[str], Mapping[str, int] | None]


@dataclass(frozen=True)
class Measure:
    """A column of the topic's table: its key, Chinese header, and whether it is an amount in fen."""

    key: str
    label: str
    money: bool = False
    flow: bool = False  # something that happened (counted in its period); else a stock (at the period's end)
    derived: bool = False  # computed from the others (a rate, an average): never suppressed, never summed


class Family(Protocol):
    topic: str  # the {topic} of GET /stats/{topic}
    title: str  # Chinese title of the table
    event_types: frozenset[str]

    def reads(self, envelope: Mapping[str, Any]) -> Sequence[str]:
        """Subjects (of this family) whose standing `effect` looks at, beside those it changes."""
        ...

    def effect(self, envelope: Mapping[str, Any], known: Known) -> Effect | None: ...

    def measures(self) -> Sequence[Measure]: ...

    def derive(self, counts: Mapping[str, int]) -> dict[str, float | None]: ...
