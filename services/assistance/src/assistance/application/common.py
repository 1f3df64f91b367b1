"""What the commands of every part share: the fund a caller may use, the eligible person, the person's file, and
the turn-taking on a fund's budget.

Approvals contend for their fund's budget: a command that loses the optimistic-concurrency race (another
approval reserved first) reloads and decides again on what the winner saved, so the budget is never exceeded
and nobody is refused while money remains.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from assistance.domain import Fund, PersonFile, WrongLevel
from assistance.rules import LEVEL_NAMES, ineligibility, level_of_jurisdiction
from vet_common.auth import Principal
from vet_common.domain import Actor, Conflict, NotFound, ensure_version
from vet_common.eventstore import ServiceApplication
from vet_common.people import PersonReplica, known_person
from vet_common.regions import is_within

T = TypeVar("T")
CONTENDED_ATTEMPTS = 400  # every one of 100 concurrent approvals of one fund gets its turn
SYSTEM = Actor(sub="assistance", role="system")
NO_SUCH_FUND = "查无此资金或不在本辖区 (no such fund in your jurisdiction)"


class NotEligible(Conflict):
    """The person does not meet the fund's eligibility rule; `reasons` says which part."""


class AssistanceBase(ServiceApplication):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._retries_lock = threading.Lock()
        self._fund_locks: dict[str, threading.Lock] = {}
        self.conflicts_retried = 0  # conflicts lost and decided again: what the benchmark reports

    def get_fund(self, fund_id: UUID) -> Fund | None:
        found = self.get_or_none(fund_id)
        return found if isinstance(found, Fund) else None

    def fund(self, fund_id: UUID | str, principal: Principal, expected_version: int | None = None) -> Fund:
        """A fund the caller may use: one of their jurisdiction, or one above it that covers it (a township
        station files applications to its county's fund)."""
        fund = self.get_fund(UUID(str(fund_id)))
        if fund is None or not (principal.can_see(fund.region) or is_within(principal.region, fund.region)):
            raise NotFound(NO_SUCH_FUND)
        ensure_version(fund.version, expected_version)
        return fund

    def _eligible_person(self, fund: Fund, person_id: str, principal: Principal) -> PersonReplica:
        person = known_person(self, person_id, principal)
        person.ensure_living()
        reasons = ineligibility(fund.rules, person.categories, person.key_contact_reasons, person.household)
        if not is_within(person.region, fund.region):
            reasons.append(f"该人员不在本资金的地区（{fund.region}）内 (the person lives outside the fund's region)")
        if reasons:
            raise NotEligible("不符合本资金条件：" + "；".join(reasons), reasons=reasons)
        return person

    def _person_file(self, person_id: str) -> PersonFile:
        found: PersonFile | None = self.get_or_none(PersonFile.create_id(person_id))
        return found or PersonFile(person_id=person_id)

    def _on_fund(self, fund_id: str, attempt: Callable[[], T]) -> T:
        """Run a command that changes a fund's reservations. Within this process they take turns on a lock per
        fund: concurrent approvals of one budget would otherwise mostly lose the race and retry. Across processes
        (several api workers) the event store's optimistic concurrency decides, and the loser decides again."""
        with self._retries_lock:
            lock = self._fund_locks.setdefault(fund_id, threading.Lock())
        with lock:
            return self._contended(attempt, CONTENDED_ATTEMPTS)

    def _contended(self, attempt: Callable[[], T], attempts: int) -> T:
        """Run `attempt` until it saves without a version conflict (reloading each time), at most `attempts`."""
        for number in range(1, attempts + 1):
            try:
                return attempt()
            except IntegrityError:
                with self._retries_lock:
                    self.conflicts_retried += 1
                if number == attempts:
                    raise Conflict("资金正被多人同时审批，请稍后重试 (the fund is busy; try again)") from None
                time.sleep(random.uniform(0, 0.002 * min(number, 10)))
        raise AssertionError("unreachable")


def actor_of(principal: Principal) -> Actor:
    return Actor(sub=principal.sub, role=",".join(sorted(role.value for role in principal.roles)))


def ensure_acting_level(principal: Principal, level: str, step: str) -> None:
    acting = level_of_jurisdiction(principal.region)
    if acting != level:
        raise WrongLevel(
            f"{step}须由{LEVEL_NAMES[level]}办理，您是{LEVEL_NAMES.get(acting, acting)} "
            f"(this step is taken at the {level} level, you act for the {acting} level)"
        )
