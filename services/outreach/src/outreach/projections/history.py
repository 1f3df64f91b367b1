"""An aggregate's state just before one of its events, for projections that move counts from old to new."""

from __future__ import annotations

from typing import Any

from vet_common.states import AggregateStates


def state_before(states: AggregateStates, event: Any) -> Any | None:
    """The aggregate as it was before `event`, None before its first. Call it before `states.after(event)`, which
    moves the cached aggregate on; the cache holds it when the log is read in order, the event store else."""
    if event.originator_version == 1:
        return None
    cached = states.cache.get(event.originator_id)
    if cached is not None and cached.version == event.originator_version - 1:
        return cached
    return states.application.repository.get(event.originator_id, version=event.originator_version - 1)
