"""The tally: events in archive order to changes of counters, the same for the projector and for "as of".

A counter document holds the figures of one topic, region prefix (every level from the province down) and
period; a subject's standing is remembered so that its next event moves it (a transfer, a death, a new category)
instead of counting it twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reporting.statistics.family import Effect, Family, Known, part_topic
from reporting.statistics.periods import ALL, periods_of
from vet_common.jurisdiction import region_keys

log = logging.getLogger(__name__)

CounterKey = tuple[str, str, str]  # topic, period (or the bucket of periods a document holds), region prefix
Changes = dict[CounterKey, dict[str, int]]


def bucket_of(period: str) -> str:
    """The document a period's counters live in: one per year (its quarters and months), one for all time."""
    return period if period == ALL else period[:4]


def counter_id(key: CounterKey) -> str:
    """The id of the counter document of (topic, bucket, region)."""
    topic, bucket, region = key
    return f"{topic}|{bucket}|{region}"


def parent_key(region: str) -> str | None:
    """The region key one level up, by the code's shape alone: the projector must never stop at a code the
    division table does not know (a village under a township coded 000, say)."""
    keys = region_keys(region)
    return keys[-2] if len(keys) > 1 else None


def subject_id(topic: str, subject: str) -> str:
    return f"{topic}|{subject}"


@dataclass
class SubjectState:
    region: str | None
    counts: dict[str, int]
    position: int
    day: str | None = None  # ISO date of a dated standing
    part: str | None = None  # the part of the topic it counts in (Standing.part)


class Tally:
    """Applies events to subjects' standings (kept here) and returns what each changes in the counters."""

    def __init__(self, families: Sequence[Family], subjects: dict[str, SubjectState] | None = None) -> None:
        self.by_type: dict[str, list[Family]] = defaultdict(list)
        for family in families:
            for event_type in family.event_types:
                self.by_type[event_type].append(family)
        self.subjects = subjects if subjects is not None else {}
        self.chained_types: set[str] = set().union(*(family.chained for family in families))

    def known(self, topic: str) -> Known:
        def counts(subject: str) -> Mapping[str, int] | None:
            state = self.subjects.get(subject_id(topic, subject))
            return state.counts if state and state.counts else None

        return counts

    def effects(self, envelope: Mapping[str, Any], known: Known | None = None) -> list[tuple[Family, Effect]]:
        """What the event changes for each family counting it. An event whose data does not fit its type (the
        archive keeps whatever arrived) is counted by nobody, the same way in every replay, never a stop."""
        found = []
        for family in self.by_type.get(envelope["type"], ()):
            try:
                effect = family.effect(envelope, known or self.known(family.topic))
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                log.warning(
                    "%s %s not counted in %s: %r", envelope["type"], envelope.get("event_id"), family.topic, error
                )
                continue
            if effect is not None:
                found.append((family, effect))
        return found

    def subjects_of(self, envelope: Mapping[str, Any]) -> set[str]:
        """The subjects an event changes or reads (what to load before tallying it), as far as the subjects
        loaded so far tell: a withdrawal names the quarter it leaves only once its contact's note is known, so
        a loader asks again until nothing new is wanted."""
        wanted = set()
        for family in self.by_type.get(envelope["type"], ()):  # what it reads, even if it changes nothing yet
            try:
                wanted |= {subject_id(family.topic, subject) for subject in family.reads(envelope)}
            except (KeyError, TypeError, AttributeError):
                continue  # data that does not fit its type: counted by nobody (effects says so)
        for family, effect in self.effects(envelope):
            wanted |= {subject_id(family.topic, subject) for subject in [*effect.standings, *effect.notes]}
        return wanted

    def apply(self, envelope: Mapping[str, Any], position: int) -> Changes:
        changes: Changes = defaultdict(lambda: defaultdict(int))
        for family, effect in self.effects(envelope):
            periods = periods_of(effect.day)
            for subject, new in effect.standings.items():
                key = subject_id(family.topic, subject)
                old = self.subjects.get(key)
                if old is not None and old.position >= position:
                    continue  # already applied (a replay after a crash between counters and subjects)
                new_day = new.day.isoformat() if new and new.day else None
                before = (old.region, old.counts, old.day, old.part) if old else (None, {}, None, None)
                after = (new.region, dict(new.counts), new_day, new.part) if new else (None, {}, None, None)
                if before != after:  # else nothing to count, nor to remember
                    for (region, counts, day, part), sign in ((before, -1), (after, 1)):
                        _add(changes, part_topic(family.topic, part), _periods(day, periods), region, counts, sign)
                    self.subjects[key] = SubjectState(after[0], after[1], position, after[2], after[3])
            for subject, note in effect.notes.items():
                key = subject_id(family.topic, subject)
                old = self.subjects.get(key)
                remembered = dict(note or {})
                if old is None or (old.position < position and old.counts != remembered):
                    self.subjects[key] = SubjectState(None, remembered, position)  # a standing counted nowhere
            # Flows need no guard here: the counters' positions keep a replayed one from counting twice.
            for flow in effect.flows:
                _add(changes, part_topic(family.topic, flow.part), periods, flow.region, {flow.key: flow.amount}, 1)
        return changes


def _periods(day: str | None, otherwise: list[str]) -> list[str]:
    return periods_of(date.fromisoformat(day)) if day else otherwise


def _add(
    changes: Changes, topic: str, periods: Iterable[str], region: str | None, counts: Mapping[str, int], sign: int
) -> None:
    if region is None:
        return
    for prefix in region_keys(region):
        for period in periods:
            target = changes[(topic, period, prefix)]
            for name, amount in counts.items():
                target[name] += sign * amount


def fold(totals: dict[CounterKey, dict[str, int]], changes: Changes) -> None:
    """Add `changes` into in-memory counters (the figures as of a date)."""
    for key, counts in changes.items():
        target = totals.setdefault(key, {})
        for name, amount in counts.items():
            target[name] = target.get(name, 0) + amount
