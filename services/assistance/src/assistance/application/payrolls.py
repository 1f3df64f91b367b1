"""Commands about a month's payroll (月度发放表): compute it (each enrolment once), approve it, release it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from assistance.application.common import AssistanceBase, actor_of
from assistance.domain import EnrolmentRoll, Payroll
from assistance.rules import FundKind
from vet_common.auth import Principal
from vet_common.domain import Invalid
from vet_common.jurisdiction import ensure_visible


class PayrollCommands(AssistanceBase):
    def compute_payroll(self, fund_id: UUID, month: str, principal: Principal) -> tuple[Payroll, bool]:
        """One line per enrolment payable in `month`, read from the fund's roll in the event store (a death or a
        transfer recorded a moment ago already stops the payment). The payroll is the claim on each of its
        lines: its id derives from fund and month and an enrolment's from fund and person, so nobody is on two
        payrolls of one fund and month whatever the retries (100,000 claim aggregates beside it would cost ten
        times the payroll itself). Running it twice gives the first payroll again (False: not new).
        """
        fund = self.fund(fund_id, principal)
        if fund.kind != FundKind.regular_entitlement:
            raise Invalid("fund_id", "只有定期抚恤补助资金有月度发放表 (only a regular-entitlement fund has payrolls)")
        existing: Payroll | None = self.get_or_none(Payroll.create_id(fund.id, month))
        if existing is not None:
            return existing, False
        lines: list[list[Any]] = []
        for share in range(EnrolmentRoll.SHARES):
            roll: EnrolmentRoll | None = self.get_or_none(EnrolmentRoll.create_id(fund.id, share))
            if roll is not None:
                lines += roll.payable_in(month)
        lines.sort(key=lambda line: (line[2], line[0]))  # by village, as banks list them
        payroll = Payroll(fund_id=str(fund.id), region=fund.region, month=month, lines=lines, actor=actor_of(principal))
        try:
            self.save(payroll)
        except IntegrityError:  # computed at the same moment by another request: that one stands
            again: Payroll = self.get_or_none(payroll.id)
            return again, False
        return payroll, True

    def payroll(self, payroll_id: UUID | str, principal: Principal) -> Payroll:
        found = self.get_or_none(UUID(str(payroll_id)))
        payroll = found if isinstance(found, Payroll) else None
        ensure_visible(principal, payroll.region if payroll else None, "发放表")
        assert payroll is not None
        return payroll

    def approve_payroll(self, payroll_id: UUID, principal: Principal) -> Payroll:
        payroll = self.payroll(payroll_id, principal)
        payroll.approve(actor_of(principal))
        self.save(payroll)
        return payroll

    def release_payroll(self, payroll_id: UUID, principal: Principal) -> Payroll:
        payroll = self.payroll(payroll_id, principal)
        payroll.release(actor_of(principal))
        self.save(payroll)
        return payroll
