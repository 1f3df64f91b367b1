"""Commands about regular entitlements (定期抚恤补助): enrol a person, propose an enrolment from the registry's
alert, confirm it. An active enrolment is entered in its share of the fund's roll in the same transaction: the
roll is what a payroll pays from."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from assistance.application.common import SYSTEM, AssistanceBase, actor_of
from assistance.domain import Enrolment, EnrolmentRoll, Fund
from assistance.rules import FundKind, MonthlyAmount, YearlyAmount
from vet_common.auth import Principal
from vet_common.domain import Actor, Conflict, Invalid
from vet_common.jurisdiction import ensure_visible
from vet_common.people import known_person


class EntitlementCommands(AssistanceBase):
    def enrol(
        self,
        *,
        fund_id: UUID,
        person_id: str,
        monthly_fen: int | None,
        start_month: str,
        principal: Principal,
        yearly_fen: int | None = None,
    ) -> UUID:
        """Enrol a person from `start_month` with the fund's amount, or the one given (`monthly_fen` in a fund
        paying monthly, `yearly_fen` in one paying yearly)."""
        fund = self.fund(fund_id, principal)
        if fund.kind != FundKind.regular_entitlement:
            raise Invalid("fund_id", "只有定期抚恤补助资金可以登记定期发放 (only a regular-entitlement fund enrols)")
        ensure_period(isinstance(fund.rules.amount, YearlyAmount), monthly_fen, yearly_fen)
        person = self._eligible_person(fund, person_id, principal)

        def attempt() -> UUID:  # again when another enrolment took the same share of the roll meanwhile
            enrolment_id = Enrolment.create_id(fund.id, person_id)
            if self.get_or_none(enrolment_id) is not None:
                raise Conflict("该人员已在本资金登记 (already enrolled in this fund)", existing_id=str(enrolment_id))
            amount = monthly_fen if yearly_fen is None else yearly_fen
            enrolment = self._new_enrolment(
                fund, person_id, person.region, amount, start_month, False, actor_of(principal)
            )
            file = self._person_file(person_id)
            file.file_enrolment(enrolment_id=str(enrolment.id))
            self.save(enrolment, file, self.entered(enrolment))
            return enrolment.id

        return self._contended(attempt, 20)

    def roll_share(self, enrolment: Enrolment) -> EnrolmentRoll:
        found: EnrolmentRoll | None = self.get_or_none(EnrolmentRoll.id_for(enrolment))
        return found or EnrolmentRoll(fund_id=enrolment.fund_id, share=enrolment.id.int % EnrolmentRoll.SHARES)

    def entered(self, enrolment: Enrolment) -> EnrolmentRoll:
        """The enrolment's share of the roll with it entered (unsaved): paid from its start month on."""
        roll = self.roll_share(enrolment)
        roll.add(enrolment)
        return roll

    @staticmethod
    def _new_enrolment(
        fund: Fund,
        person_id: str,
        region: str,
        amount_fen: int | None,
        start_month: str,
        proposed: bool,
        actor: Actor,
    ) -> Enrolment:
        """An enrolment on the fund's amount rule: `amount_fen` (or the rule's) a month, or a year."""
        rule = fund.rules.amount
        common: dict[str, Any] = {"fund_id": str(fund.id), "person_id": person_id, "region": region}
        common |= {"start_month": start_month, "proposed": proposed, "actor": actor}
        if isinstance(rule, YearlyAmount):
            yearly = rule.yearly_fen if amount_fen is None else amount_fen
            return Enrolment(**common, monthly_fen=0, yearly_fen=yearly, pay_month=rule.pay_month)
        assert isinstance(rule, MonthlyAmount)
        monthly = rule.monthly_fen if amount_fen is None else amount_fen
        return Enrolment(**common, monthly_fen=monthly, yearly_fen=None, pay_month=None)

    def propose_enrolment(self, fund: Fund, person_id: str, region: str, start_month: str) -> list[Any]:
        """From the registry's alert: an enrolment awaiting an officer's confirmation (unsaved), or none."""
        if self.get_or_none(Enrolment.create_id(fund.id, person_id)) is not None:
            return []
        enrolment = self._new_enrolment(fund, person_id, region, None, start_month, True, SYSTEM)
        file = self._person_file(person_id)
        file.file_enrolment(enrolment_id=str(enrolment.id))
        return [enrolment, file]

    def enrolment(self, enrolment_id: UUID | str, principal: Principal) -> Enrolment:
        found = self.get_or_none(UUID(str(enrolment_id)))
        enrolment = found if isinstance(found, Enrolment) else None
        ensure_visible(principal, enrolment.region if enrolment else None, "登记")
        assert enrolment is not None
        return enrolment

    def confirm_enrolment(
        self,
        enrolment_id: UUID,
        monthly_fen: int | None,
        start_month: str | None,
        principal: Principal,
        yearly_fen: int | None = None,
    ) -> Enrolment:
        def attempt() -> Enrolment:
            enrolment = self.enrolment(enrolment_id, principal)
            ensure_period(enrolment.yearly_fen is not None, monthly_fen, yearly_fen)
            known_person(self, enrolment.person_id, principal).ensure_living()
            given = monthly_fen if yearly_fen is None else yearly_fen
            enrolment.confirm(
                enrolment.amount_fen if given is None else given,
                start_month or enrolment.start_month,
                actor_of(principal),
            )
            self.save(enrolment, self.entered(enrolment))
            return enrolment

        return self._contended(attempt, 20)


def ensure_period(yearly: bool, monthly_fen: int | None, yearly_fen: int | None) -> None:
    """The amount given is of the fund's period: a month's in a fund paying monthly, a year's in one paying yearly."""
    if yearly and monthly_fen is not None:
        raise Invalid(
            "monthly_fen",
            "本资金按年发放，请填写每年金额 yearly_fen (this fund pays yearly: give yearly_fen, not monthly_fen)",
        )
    if not yearly and yearly_fen is not None:
        raise Invalid(
            "yearly_fen",
            "本资金按月发放，请填写每月金额 monthly_fen (this fund pays monthly: give monthly_fen, not yearly_fen)",
        )
