"""Commands about the station's to-do list (待办)."""

from __future__ import annotations

from uuid import UUID

from outreach.domain.todo import TodoItem
from vet_common.auth import Principal
from vet_common.domain import Actor
from vet_common.eventstore import ServiceApplication
from vet_common.jurisdiction import ensure_visible


class TodoCommands(ServiceApplication):
    def mark_todo_done(self, item_id: UUID, *, principal: Principal, actor: Actor) -> TodoItem:
        item = self.get_or_none(item_id)
        ensure_visible(principal, item.region if isinstance(item, TodoItem) else None, "记录")
        assert isinstance(item, TodoItem)
        item.mark_done(self.clock.today(), actor)
        self.save(item)
        return item
