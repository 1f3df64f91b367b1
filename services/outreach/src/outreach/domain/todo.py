"""The station's to-do list (待办): eligibility alerts the registry raised, until someone deals with them.

An item is for the station where the person lives: it moves with a transferred person (the receiving side sees
it, the old side no longer does) and is cancelled when the person dies.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor, Conflict, derived_id

OPEN = "open"
DONE = "done"
CANCELLED = "cancelled"


class AlreadyDone(Conflict):
    def __init__(self, status: str) -> None:
        what = "已取消（人员已故）" if status == CANCELLED else "已办结"
        super().__init__(f"该待办事项{what} (this to-do item is {status} already)")


class TodoItem(Aggregate):
    @staticmethod
    def create_id(alert_id: str) -> UUID:
        return derived_id("todo", alert_id)  # one item per registry alert, however often it is delivered

    class Raised(Aggregate.Created):
        alert_id: str
        person_id: str
        region: str
        kind: str
        occasion: str
        due_on: date

    class Done(Aggregate.Event):
        done_on: date
        actor: Actor

    class Moved(Aggregate.Event):
        """The person transferred (PersonTransferred): the item is the receiving station's."""

        region: str
        from_region: str

    class Cancelled(Aggregate.Event):
        """The person died (PersonDied): nothing is left to do."""

        cancelled_on: date

    @event(Raised)
    def __init__(self, *, alert_id: str, person_id: str, region: str, kind: str, occasion: str, due_on: date) -> None:
        self.alert_id = alert_id
        self.person_id = person_id
        self.region = region
        self.kind = kind
        self.occasion = occasion
        self.due_on = due_on
        self.done_on: date | None = None
        self.status = OPEN

    def mark_done(self, done_on: date, actor: Actor) -> None:
        if self.status != OPEN:
            raise AlreadyDone(self.status)
        self._done(done_on=done_on, actor=actor)

    @event(Done)
    def _done(self, *, done_on: date, actor: Actor) -> None:
        self.done_on = done_on
        self.status = DONE

    def move(self, to_region: str) -> bool:
        """False (nothing changes) for an item no longer open, or already there (a redelivered transfer)."""
        if self.status != OPEN or self.region == to_region:
            return False
        self._moved(region=to_region, from_region=self.region)
        return True

    @event(Moved)
    def _moved(self, *, region: str, from_region: str) -> None:
        self.region = region

    def cancel(self, on: date) -> bool:
        if self.status != OPEN:
            return False
        self._cancelled(cancelled_on=on)
        return True

    @event(Cancelled)
    def _cancelled(self, *, cancelled_on: date) -> None:
        self.status = CANCELLED


class PersonTodo(Aggregate):
    """The to-do items raised for one person, so a reaction to their transfer or death finds them in the event
    store (reactions read no read model, which may lag behind)."""

    @staticmethod
    def create_id(person_id: str) -> UUID:
        return derived_id("person-todo", person_id)

    class Started(Aggregate.Created):
        person_id: str

    class Listed(Aggregate.Event):
        item_id: str

    @event(Started)
    def __init__(self, *, person_id: str) -> None:
        self.person_id = person_id
        self.item_ids: list[str] = []

    @event(Listed)
    def add(self, *, item_id: str) -> None:
        self.item_ids.append(item_id)
