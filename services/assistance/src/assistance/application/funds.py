"""Commands about funds: set one up, change its budget (with a reason) or its rules (a new version), find the fund
of a kind nearest a region, and a department's ceiling per person and year across its funds."""

from __future__ import annotations

from uuid import UUID

from assistance.application.common import AssistanceBase, actor_of
from assistance.domain import Ceiling, Fund, FundIndex, PersonYear
from assistance.rules import PERIODIC, FundKind, Rules
from vet_common.auth import Principal
from vet_common.domain import Actor, Invalid, Refused
from vet_common.jurisdiction import region_keys

PERIOD_NAMES = {"monthly": "月", "yearly": "年"}
_PERIODIC_ONLY = (
    "定期抚恤补助资金的金额规则须为按月或按年金额 (a regular-entitlement fund pays a monthly or a yearly amount)"
)


class FundCommands(AssistanceBase):
    def create_fund(
        self, *, name: str, kind: FundKind, region: str, year: int, budget_fen: int, rules: Rules, actor: Actor
    ) -> UUID:
        fund = Fund(
            name=name,
            kind=kind.value,
            region=region,
            year=year,
            budget_fen=budget_fen,
            rules=rules.as_dict(),
            actor=actor,
        )
        index: FundIndex = self.get_or_none(FundIndex.create_id(region, kind.value)) or FundIndex(
            region=region, kind=kind.value
        )
        index.add(fund.id, year)
        self.save(fund, index)
        return fund.id

    def owned_fund(self, fund_id: UUID | str, principal: Principal, expected_version: int | None = None) -> Fund:
        """A fund the caller may manage: of their own jurisdiction (a county cannot change its city's fund)."""
        fund = self.fund(fund_id, principal, expected_version)
        if not principal.can_see(fund.region):
            raise Refused(
                f"该资金属于 {fund.region}，只能由其所属地区管理 "
                "(only the fund's own region manages its budget and rules)"
            )
        return fund

    def change_budget(
        self, fund_id: UUID, budget_fen: int, reason: str, principal: Principal, expected_version: int | None = None
    ) -> Fund:
        def attempt() -> Fund:
            fund = self.owned_fund(fund_id, principal, expected_version)
            fund.change_budget(budget_fen, reason, actor_of(principal))
            self.save(fund)
            return fund

        # Only If-Match makes a concurrent approval a reason to stop; otherwise decide again on the new total.
        return attempt() if expected_version is not None else self._contended(attempt, 20)

    def version_rules(
        self, fund_id: UUID, rules: Rules, reason: str, principal: Principal, expected_version: int | None = None
    ) -> int:
        def attempt() -> int:
            fund = self.owned_fund(fund_id, principal, expected_version)
            if fund.kind == FundKind.regular_entitlement and not isinstance(rules.amount, PERIODIC):
                raise Invalid("rules.amount", _PERIODIC_ONLY)
            now, then = fund.rules.amount.kind, rules.amount.kind
            if fund.kind == FundKind.regular_entitlement and then != now:
                raise Invalid(
                    "rules.amount.kind",
                    f"本资金按{PERIOD_NAMES[now]}发放，新版规则不能改为按{PERIOD_NAMES[then]}发放 "
                    "(a regular entitlement keeps paying monthly or yearly: set up another fund for the other)",
                )
            version = fund.version_rules(rules, reason, actor_of(principal))
            self.save(fund)
            return version

        return attempt() if expected_version is not None else self._contended(attempt, 20)

    def find_fund(self, region: str, kind: str, year: int) -> Fund | None:
        """The fund of `kind` for `year` nearest the region: its county's, else its city's, else its province's."""
        for prefix in reversed(region_keys(region)):
            index: FundIndex | None = self.get_or_none(FundIndex.create_id(prefix, kind))
            if index is not None and year in index.funds:
                return self.get_fund(UUID(index.funds[year]))
        return None

    def person_year(self, person_id: str, year: int) -> PersonYear:
        found: PersonYear | None = self.get_or_none(PersonYear.create_id(person_id, year))
        return found or PersonYear(person_id=person_id, year=year)

    def ceilings(self, fund_region: str, year: int) -> list[Ceiling]:
        """The department ceilings over a fund: its own region's and those above it."""
        found = [self.get_or_none(Ceiling.create_id(prefix, year)) for prefix in region_keys(fund_region)]
        return [ceiling for ceiling in found if ceiling is not None]

    def set_ceiling(self, region: str, year: int, ceiling_fen: int, reason: str, principal: Principal) -> Ceiling:
        """A department's ceiling per person and year across its funds; it applies to approvals from now on."""
        if not principal.can_see(region):
            raise Refused(f"只能为本辖区（{principal.region}）设置上限 (only for your own jurisdiction)")
        ceiling: Ceiling | None = self.get_or_none(Ceiling.create_id(region, year))
        if ceiling is None:
            ceiling = Ceiling(
                region=region, year=year, ceiling_fen=ceiling_fen, reason=reason, actor=actor_of(principal)
            )
        else:
            ceiling.change(ceiling_fen=ceiling_fen, reason=reason, actor=actor_of(principal))
        self.save(ceiling)
        return ceiling
