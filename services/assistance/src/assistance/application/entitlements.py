"""Commands about regular entitlements (定期抚恤补助): enrol a person, propose an enrolment from the registry's
alert, confirm it. An active enrolment is entered in its share of the fund's roll in the same transaction: the
roll is what a payroll pays from."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from assistance.application.common import SYSTEM, AssistanceBase, actor_of
from assistance.domain import Enrolment, EnrolmentRoll, Fund
from assistance.rules import FundKind, MonthlyAmount
from vet_common.auth import Principal
from vet_common.domain import Actor, Conflict, Invalid
from vet_common.jurisdiction import ensure_visible
from vet_common.people import known_person


class EntitlementCommands(AssistanceBase):
    def enrol(
        self, *, fund_id: UUID, person_id: str, monthly_fen: int | None, start_month: str, principal: Principal
    ) -> UUID:
        fund = self.fund(fund_id, principal)
        if fund.kind != FundKind.regular_entitlement:
            raise Invalid("fund_id", "只有定期抚恤补助资金可以登记按月发放 (only a regular-entitlement fund enrols)")
        person = self._eligible_person(fund, person_id, principal)

        def attempt() -> UUID:  # again when another enrolment took the same share of the roll meanwhile
            enrolment_id = Enrolment.create_id(fund.id, person_id)
            if self.get_or_none(enrolment_id) is not None:
                raise Conflict("该人员已在本资金登记 (already enrolled in this fund)", existing_id=str(enrolment_id))
            enrolment = self._new_enrolment(
                fund, person_id, person.region, monthly_fen, start_month, False, actor_of(principal)
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
        monthly_fen: int | None,
        start_month: str,
        proposed: bool,
        actor: Actor,
    ) -> Enrolment:
        amount = fund.rules.amount
        assert isinstance(amount, MonthlyAmount)
        enrolment = Enrolment(
            fund_id=str(fund.id),
            person_id=person_id,
            region=region,
            monthly_fen=amount.monthly_fen if monthly_fen is None else monthly_fen,
            start_month=start_month,
            proposed=proposed,
            actor=actor,
        )
        return enrolment

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
        self, enrolment_id: UUID, monthly_fen: int | None, start_month: str | None, principal: Principal
    ) -> Enrolment:
        def attempt() -> Enrolment:
            enrolment = self.enrolment(enrolment_id, principal)
            known_person(self, enrolment.person_id, principal).ensure_living()
            enrolment.confirm(
                enrolment.monthly_fen if monthly_fen is None else monthly_fen,
                start_month or enrolment.start_month,
                actor_of(principal),
            )
            self.save(enrolment, self.entered(enrolment))
            return enrolment

        return self._contended(attempt, 20)
