"""How the registry's events change the station's to-do list (待办).

- EligibilityAlertRaised puts an item on the list of the station where the person lives.
- PersonTransferred moves the person's open items to the receiving region: its station sees them, the old one
  answers 404.
- PersonDied cancels them: nothing is left to do.

Each reaction is saved with the event's Tracking (vet_common.policies), and each is a no-op the second time
(one item per alert; an item already moved, done or cancelled is left alone), so a redelivery changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from outreach.domain.todo import PersonTodo, TodoItem
from vet_common.domain import CHINA
from vet_common.eventstore import ServiceApplication
from vet_common.policies import Policies
from vet_contracts import registry

todo_reactions = Policies()


@todo_reactions.on(registry.EligibilityAlertRaised)
def put_on_todo_list(application: ServiceApplication, alert: registry.EligibilityAlertRaised) -> list[Any]:
    if application.get_or_none(TodoItem.create_id(alert.aggregate_id)) is not None:
        return []  # the registry raised it once; a second delivery under another position changes nothing
    item = TodoItem(
        alert_id=alert.aggregate_id,
        person_id=alert.data.person_id,
        region=alert.region,
        kind=alert.data.kind,
        occasion=alert.data.occasion,
        due_on=date.fromisoformat(alert.data.due_on),
    )
    listed = application.get_or_none(PersonTodo.create_id(alert.data.person_id))
    listed = listed or PersonTodo(person_id=alert.data.person_id)
    listed.add(item_id=str(item.id))
    return [item, listed]


@todo_reactions.on(registry.PersonTransferred)
def move_todo_items(application: ServiceApplication, moved: registry.PersonTransferred) -> list[TodoItem]:
    return [item for item in _items_of(application, moved.data.person_id) if item.move(moved.region)]


@todo_reactions.on(registry.PersonDied)
def cancel_todo_items(application: ServiceApplication, died: registry.PersonDied) -> list[TodoItem]:
    on = died.occurred_at.astimezone(CHINA).date()  # the event's date: a redelivery decides the same
    return [item for item in _items_of(application, died.data.person_id) if item.cancel(on)]


def _items_of(application: ServiceApplication, person_id: str) -> list[TodoItem]:
    listed: PersonTodo | None = application.get_or_none(PersonTodo.create_id(person_id))
    items = [application.get_or_none(UUID(item_id)) for item_id in (listed.item_ids if listed else ())]
    return [item for item in items if isinstance(item, TodoItem)]
