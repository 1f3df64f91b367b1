"""The station's to-do list (待办): eligibility alerts the registry raised, until someone deals with them."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor, Conflict, derived_id


class AlreadyDone(Conflict):
    def __init__(self) -> None:
        super().__init__("该待办事项已办结 (this to-do item is already done)")


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

    @event(Raised)
    def __init__(self, *, alert_id: str, person_id: str, region: str, kind: str, occasion: str, due_on: date) -> None:
        self.alert_id = alert_id
        self.person_id = person_id
        self.region = region
        self.kind = kind
        self.occasion = occasion
        self.due_on = due_on
        self.done_on: date | None = None

    def mark_done(self, done_on: date, actor: Actor) -> None:
        if self.done_on is not None:
            raise AlreadyDone()
        self._done(done_on=done_on, actor=actor)

    @event(Done)
    def _done(self, *, done_on: date, actor: Actor) -> None:
        self.done_on = done_on
