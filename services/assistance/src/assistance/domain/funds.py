"""Funds (资金): a region's programme for a year, its budget and versioned rules, and the guards on what it pays:
a fund reserves an approved amount only within its budget and the person's yearly ceiling (saved with optimistic
concurrency, so concurrent approvals cannot both take the last yuan); a department's ceiling across its funds."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from assistance.domain.errors import OverBudget, OverCeiling, _yuan
from assistance.rules import Rules
from vet_common.domain import Actor, Conflict, derived_id


class Fund(Aggregate):
    """A fund programme (资金) of one region for one year, its budget and every version of its rules."""

    class Created(Aggregate.Created):
        name: str
        kind: str
        region: str
        year: int
        budget_fen: int
        rules: dict[str, Any]
        actor: Actor

    @event(Created)
    def __init__(
        self, *, name: str, kind: str, region: str, year: int, budget_fen: int, rules: dict[str, Any], actor: Actor
    ) -> None:
        self.name, self.kind, self.region, self.year = name, kind, region, year
        self.budget_fen = budget_fen
        self.rules_versions: list[dict[str, Any]] = [rules]
        self.created_by = actor
        self.committed_fen = 0  # reserved by approvals, paid or not
        self.disbursed_fen = 0
        self.reservations: dict[str, tuple[str, int]] = {}  # application -> (person, amount)
        self.by_person: dict[str, int] = {}

    @property
    def rules_version(self) -> int:
        return len(self.rules_versions)

    @property
    def rules(self) -> Rules:
        return Rules.model_validate(self.rules_versions[-1])

    def rules_at(self, version: int) -> Rules:
        return Rules.model_validate(self.rules_versions[version - 1])

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.committed_fen

    def change_budget(self, budget_fen: int, reason: str, actor: Actor) -> None:
        if budget_fen < self.committed_fen:
            raise Conflict(
                f"预算不能低于已承诺的 {_yuan(self.committed_fen)} (the budget cannot go below what is committed)",
                committed_fen=self.committed_fen,
            )
        self._budget_changed(budget_fen=budget_fen, change_fen=budget_fen - self.budget_fen, reason=reason, actor=actor)

    @event("BudgetChanged")
    def _budget_changed(self, *, budget_fen: int, change_fen: int, reason: str, actor: Actor) -> None:
        self.budget_fen = budget_fen

    def version_rules(self, rules: Rules, reason: str, actor: Actor) -> int:
        self._rules_versioned(version=self.rules_version + 1, rules=rules.as_dict(), reason=reason, actor=actor)
        return self.rules_version

    @event("RulesVersioned")
    def _rules_versioned(self, *, version: int, rules: dict[str, Any], reason: str, actor: Actor) -> None:
        self.rules_versions.append(rules)

    def reserve(self, application_id: str, person_id: str, amount_fen: int, ceiling_fen: int | None) -> None:
        """Commit `amount_fen` to an approved application, within the budget and the person's yearly ceiling."""
        if application_id in self.reservations:
            return  # reserved at an earlier level
        if amount_fen > self.remaining_fen:
            raise OverBudget(
                f"资金余额不足：剩余 {_yuan(self.remaining_fen)}，本次需 {_yuan(amount_fen)} "
                "(over budget: the fund's remaining budget does not cover this amount)",
                remaining_fen=self.remaining_fen,
            )
        already = self.by_person.get(person_id, 0)
        if ceiling_fen is not None and already + amount_fen > ceiling_fen:
            raise OverCeiling(
                f"超过每人每年上限 {_yuan(ceiling_fen)}：本年已批 {_yuan(already)} "
                "(over the per-person yearly ceiling of this fund)",
                already_fen=already,
            )
        self._reserved(application_id=application_id, person_id=person_id, amount_fen=amount_fen)

    @event("Reserved")
    def _reserved(self, *, application_id: str, person_id: str, amount_fen: int) -> None:
        self.reservations[application_id] = (person_id, amount_fen)
        self.committed_fen += amount_fen
        self.by_person[person_id] = self.by_person.get(person_id, 0) + amount_fen

    def release(self, application_id: str, why: str) -> None:
        """Give back an unpaid reservation (denied at a later level, suspended, moved to another fund)."""
        if application_id in self.reservations:
            self._released(application_id=application_id, why=why)

    @event("Released")
    def _released(self, *, application_id: str, why: str) -> None:
        person_id, amount_fen = self.reservations.pop(application_id)
        self.committed_fen -= amount_fen
        self.by_person[person_id] -= amount_fen

    def record_payment(self, application_id: str) -> None:
        """The reserved amount was paid: it stays committed (and counts towards the person's ceiling)."""
        _, amount_fen = self.reservations[application_id]
        self._paid(application_id=application_id, amount_fen=amount_fen)

    @event("Paid")
    def _paid(self, *, application_id: str, amount_fen: int) -> None:
        del self.reservations[application_id]
        self.disbursed_fen += amount_fen

    def merge_person(self, person_id: str, into: str) -> None:
        """Two records of one person merged (the registry kept `into`): what the fund approved the merged record
        counts towards the kept one's yearly ceiling, and its unpaid reservations are the kept record's."""
        if person_id in self.by_person and person_id != into:
            self._person_merged(person_id=person_id, into=into)

    @event("PersonMerged")
    def _person_merged(self, *, person_id: str, into: str) -> None:
        self.by_person[into] = self.by_person.get(into, 0) + self.by_person.pop(person_id)
        for application_id, (person, amount_fen) in list(self.reservations.items()):
            if person == person_id:
                self.reservations[application_id] = (into, amount_fen)


class Ceiling(Aggregate):
    """A department's ceiling per person and year across its funds (those of its region and below)."""

    @staticmethod
    def create_id(region: str, year: int) -> uuid.UUID:
        return derived_id("assistance.ceiling", region, year)

    @event("Set")
    def __init__(self, *, region: str, year: int, ceiling_fen: int, reason: str, actor: Actor) -> None:
        self.region, self.year, self.ceiling_fen = region, year, ceiling_fen

    @event("Changed")
    def change(self, *, ceiling_fen: int, reason: str, actor: Actor) -> None:
        self.ceiling_fen = ceiling_fen


class PersonYear(Aggregate):
    """What one person was approved in one year, by application and the region of its fund: the sum a
    department's ceiling is checked against. Saved with the fund's reservation, so both or neither change."""

    @staticmethod
    def create_id(person_id: str, year: int) -> uuid.UUID:
        return derived_id("assistance.person-year", person_id, year)

    @event("Opened")
    def __init__(self, *, person_id: str, year: int) -> None:
        self.person_id, self.year = person_id, year
        self.amounts: dict[str, list[Any]] = {}  # application -> [the fund's region, amount in fen]

    def total_within(self, region: str) -> int:
        return sum(int(amount) for fund_region, amount in self.amounts.values() if fund_region.startswith(region))

    def add(self, application_id: str, fund_region: str, amount_fen: int, ceilings: list[Ceiling]) -> None:
        if application_id in self.amounts:
            return
        for ceiling in ceilings:
            already = self.total_within(ceiling.region)
            if already + amount_fen > ceiling.ceiling_fen:
                raise OverCeiling(
                    f"超过 {ceiling.region} 每人每年救助上限 {_yuan(ceiling.ceiling_fen)}：本年已批 {_yuan(already)} "
                    "(over the department's per-person yearly ceiling across its funds)",
                    already_fen=already,
                )
        self._added(application_id=application_id, fund_region=fund_region, amount_fen=amount_fen)

    @event("Added")
    def _added(self, *, application_id: str, fund_region: str, amount_fen: int) -> None:
        self.amounts[application_id] = [fund_region, amount_fen]

    def absorb(self, merged: PersonYear) -> None:
        """The year of a record merged into this person's: its approved amounts count here too (already
        committed, so no ceiling is checked: the next approval is)."""
        amounts = {key: value for key, value in merged.amounts.items() if key not in self.amounts}
        if amounts:
            self._absorbed(person_id=merged.person_id, amounts=amounts)

    @event("Absorbed")
    def _absorbed(self, *, person_id: str, amounts: dict[str, list[Any]]) -> None:
        self.amounts.update(amounts)

    def remove(self, application_id: str) -> None:
        if application_id in self.amounts:
            self._removed(application_id=application_id)

    @event("Removed")
    def _removed(self, *, application_id: str) -> None:
        del self.amounts[application_id]


class FundIndex(Aggregate):
    """The funds of one region and kind: where a transferred person's applications and a proposed enrolment go."""

    @staticmethod
    def create_id(region: str, kind: str) -> uuid.UUID:
        return derived_id("assistance.funds-of", region, kind)

    @event("Started")
    def __init__(self, *, region: str, kind: str) -> None:
        self.region, self.kind = region, kind
        self.funds: dict[int, str] = {}  # year -> the first fund of that year

    def add(self, fund_id: uuid.UUID, year: int) -> None:
        if year not in self.funds:
            self._added(fund_id=str(fund_id), year=year)

    @event("Added")
    def _added(self, *, fund_id: str, year: int) -> None:
        self.funds[year] = fund_id
