"""Commands about the contact rules (联系规则): the versioned table an officer changes."""

from __future__ import annotations

from outreach.domain.rules import (
    DEFAULT_TABLE,
    ContactRules,
    Interval,
    RuleEntry,
    RuleTable,
    ensure_changes_within,
    validate_entries,
)
from vet_common.auth import Principal
from vet_common.domain import Actor, ensure_version
from vet_common.eventstore import ServiceApplication


class RuleCommands(ServiceApplication):
    def contact_rules(self) -> RuleTable:
        """The table in force; version 0 until an officer first sets one (the defaults: DOMAIN.md)."""
        rules: ContactRules | None = self.get_or_none(ContactRules.create_id())
        return rules.table if rules else DEFAULT_TABLE

    def change_contact_rules(
        self,
        *,
        entries: list[RuleEntry],
        severe_disability: Interval | None,
        reason: str,
        principal: Principal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> RuleTable:
        """Replace the table as a whole; the versions before stay in the history. Due dates follow at once.
        Only lines within the caller's jurisdiction may differ from the table in force (Refused 403 else)."""
        validate_entries(entries)
        ensure_changes_within(principal, self.contact_rules(), entries, severe_disability)
        state = {
            "entries": [entry.to_dict() for entry in entries],
            "severe_disability": (
                {"contact_days": severe_disability.contact_days, "home_visit_days": severe_disability.home_visit_days}
                if severe_disability
                else None
            ),
            "reason": reason,
            "actor": actor,
        }
        rules: ContactRules | None = self.get_or_none(ContactRules.create_id())
        if rules is None:
            ensure_version(DEFAULT_TABLE.version, expected_version, "联系规则", "contact rules")
            rules = ContactRules(**state)  # type: ignore[arg-type]
        else:
            ensure_version(rules.version, expected_version, "联系规则", "contact rules")
            rules.change(**state)  # type: ignore[arg-type]
        self.save(rules)
        return rules.table
