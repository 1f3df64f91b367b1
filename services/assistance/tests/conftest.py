"""Assistance test kit: the application on an in-memory event store with a fixed clock, people fed in as the
registry publishes them, and callers at every level of one county (Fuzhou's 鼓楼区, 350102)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from assistance.application import AssistanceApplication
from assistance.policies import reactions
from assistance.rules import Facts, FundKind, Rules
from vet_common.auth import Principal, Role
from vet_common.domain import Actor, FixedClock
from vet_contracts import IntegrationEvent
from vet_devtools.testing.people import RegistryFeed, in_memory

COUNTY, CITY, TOWNSHIP, VILLAGE = "350102", "3501", "350102001", "350102001001"

HARDSHIP_RULES: dict[str, Any] = {
    "amount": {"kind": "fixed", "amount_fen": 160_000},
    "yearly_ceiling_fen": 300_000,
    "approval": {"accept": "township", "levels": [{"level": "county"}]},
}
EMERGENCY_RULES: dict[str, Any] = {
    "amount": {"kind": "share_of_remainder", "threshold_fen": 1_000_000, "share_percent": 80, "cap_fen": 5_000_000},
    "approval": {
        "accept": "township",
        "levels": [{"level": "county"}, {"level": "city", "from_fen": 1_000_000}],
    },
}
MONTHLY_RULES: dict[str, Any] = {
    "eligibility": {"household": "rural"},
    "amount": {"kind": "monthly", "monthly_fen": 20_000},
}


def principal(role: str, region: str, sub: str = "u1") -> Principal:
    return Principal(sub=sub, name="测试", roles=frozenset({Role(role)}), region=region)


STATION = principal("station_staff", TOWNSHIP, "station-1")
OFFICER = principal("officer", COUNTY, "officer-1")
COUNTY_APPROVER = principal("approver", COUNTY, "approver-county")
CITY_APPROVER = principal("approver", CITY, "approver-city")
OFFICER_ACTOR = Actor(sub="officer-1", role="officer")


@dataclass
class Desk:
    """A county's assistance desk: the application, the registry feed, and shortcuts for each step."""

    app: AssistanceApplication
    clock: FixedClock
    feed: RegistryFeed = field(default_factory=RegistryFeed)

    # What tests name (test modules cannot import this conftest): callers and rules.
    STATION = STATION
    OFFICER = OFFICER
    COUNTY_APPROVER = COUNTY_APPROVER
    CITY_APPROVER = CITY_APPROVER
    HARDSHIP_RULES = HARDSHIP_RULES
    EMERGENCY_RULES = EMERGENCY_RULES
    MONTHLY_RULES = MONTHLY_RULES
    principal = staticmethod(principal)

    def hear(self, event: IntegrationEvent) -> bool:
        return reactions.process(self.app, event)

    def person(self, person_id: str = "p-1", region: str = VILLAGE, **facts: Any) -> str:
        self.hear(self.feed.registered(person_id, region, **facts))
        return person_id

    def fund(self, rules: dict[str, Any] | None = None, budget_fen: int = 10_000_000, **overrides: Any) -> UUID:
        arguments: dict[str, Any] = {
            "name": "2026年临时困难救助",
            "kind": FundKind.temporary_hardship_aid,
            "region": COUNTY,
            "year": 2026,
            "budget_fen": budget_fen,
            "rules": Rules.model_validate(rules or HARDSHIP_RULES),
            **overrides,
        }
        return self.app.create_fund(**arguments, actor=OFFICER_ACTOR)

    def apply(self, fund_id: UUID, person_id: str = "p-1", **facts: int) -> UUID:
        return self.app.submit(
            fund_id=fund_id,
            person_id=person_id,
            on_behalf_of=True,
            facts=Facts(**facts),
            documents=["申请表", "困难情况说明"],
            principal=STATION,
        )

    def approved(self, fund_id: UUID, person_id: str = "p-1", **facts: int) -> UUID:
        application_id = self.apply(fund_id, person_id, **facts)
        self.app.accept(application_id, STATION)
        self.app.approve(application_id, "符合条件", COUNTY_APPROVER)
        return application_id

    def paid(self, fund_id: UUID, person_id: str = "p-1") -> UUID:
        application_id = self.approved(fund_id, person_id)
        self.app.notify_person(application_id, "上门告知", date(2026, 8, 3), STATION)
        self.app.disburse(application_id, "BANK-0001", "key-1", date(2026, 8, 5), OFFICER)
        return application_id


@pytest.fixture
def desk() -> Iterator[Desk]:
    app = in_memory(AssistanceApplication, "assistance")
    clock = FixedClock(date(2026, 8, 3))
    app.clock = clock
    yield Desk(app, clock)
    app.close()
