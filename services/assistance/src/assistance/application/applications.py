"""Commands about applications (申请): file, accept or return, approve or deny at each level, notify, disburse
once, evaluate; and where a transferred person's application goes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from assistance.application.common import actor_of, ensure_acting_level
from assistance.application.funds import FundCommands
from assistance.domain import Application, Fund, OutOfOrder, PaymentClaim, PersonYear
from assistance.rules import Facts, FundKind, compute_amount, level_of_jurisdiction
from vet_common.auth import Principal
from vet_common.domain import Invalid, ensure_version
from vet_common.jurisdiction import ensure_visible
from vet_common.people import known_person
from vet_common.regions import is_within


class ApplicationCommands(FundCommands):
    def submit(
        self,
        *,
        fund_id: UUID,
        person_id: str,
        on_behalf_of: bool,
        facts: Facts,
        documents: list[str],
        principal: Principal,
    ) -> UUID:
        """File an application (申请), often by the station on the person's behalf (代办)."""
        fund = self.fund(fund_id, principal)
        if fund.kind == FundKind.regular_entitlement:
            raise Invalid("fund_id", "定期抚恤补助请办理登记（POST /enrolments），无需逐次申请 (enrol, do not apply)")
        person = self._eligible_person(fund, person_id, principal)
        compute_amount(fund.rules.amount, facts)  # the facts the rule needs are there (else Invalid, nothing saved)
        application = Application(
            fund_id=str(fund.id),
            fund_kind=fund.kind,
            person_id=person_id,
            region=person.region,
            on_behalf_of=on_behalf_of,
            facts=facts.model_dump(exclude_none=True),
            documents=documents,
            actor=actor_of(principal),
            at=self.clock.now(),
        )
        file = self._person_file(person_id)
        file.file_application(application_id=str(application.id))
        self.save(application, file)
        return application.id

    def get_application(self, application_id: UUID) -> Application | None:
        found = self.get_or_none(application_id)
        return found if isinstance(found, Application) else None

    def application(
        self, application_id: UUID | str, principal: Principal, expected_version: int | None = None
    ) -> Application:
        application = self.get_application(UUID(str(application_id)))
        ensure_visible(principal, application.region if application else None, "申请")
        assert application is not None
        ensure_version(application.version, expected_version)
        return application

    def accept(self, application_id: UUID, principal: Principal, expected_version: int | None = None) -> Application:
        """受理: the accepting level checks the documents; the amount and the levels that approve it are set."""
        application = self.application(application_id, principal, expected_version)
        fund = self.fund(application.fund_id, principal)
        ensure_acting_level(principal, fund.rules.approval.accept, "受理")
        snapshot = self._snapshot(fund, application)
        levels = fund.rules.approval.levels_for(snapshot["amount_fen"])
        application.accept(snapshot, levels, actor_of(principal), self.clock.now())
        self.save(application)
        return application

    def _snapshot(self, fund: Fund, application: Application) -> dict[str, Any]:
        """The decision snapshot: the rule version, the inputs and the computed amount (and its figures)."""
        rules = fund.rules
        amount, figures = compute_amount(rules.amount, Facts(**application.facts))
        return {
            "rules_version": fund.rules_version,
            "amount_rule": rules.amount.model_dump(mode="json"),
            "yearly_ceiling_fen": rules.yearly_ceiling_fen,
            "inputs": dict(application.facts),
            **figures,
            "amount_fen": amount,
        }

    def return_application(
        self,
        application_id: UUID,
        missing: list[str],
        reason: str,
        principal: Principal,
        expected_version: int | None = None,
    ) -> Application:
        application = self.application(application_id, principal, expected_version)
        fund = self.fund(application.fund_id, principal)
        ensure_acting_level(principal, fund.rules.approval.accept, "退回")
        application.return_for(missing, reason, actor_of(principal), self.clock.now())
        self.save(application)
        return application

    def resubmit(
        self,
        application_id: UUID,
        facts: Facts,
        documents: list[str],
        principal: Principal,
        expected_version: int | None = None,
    ) -> Application:
        application = self.application(application_id, principal, expected_version)
        fund = self.fund(application.fund_id, principal)
        compute_amount(fund.rules.amount, facts)
        application.resubmit(facts.model_dump(exclude_none=True), documents, actor_of(principal), self.clock.now())
        self.save(application)
        return application

    def approve(
        self, application_id: UUID, reason: str, principal: Principal, expected_version: int | None = None
    ) -> Application:
        """审批 at the level the application waits for. The first approval decides the amount on the fund's
        current rules and reserves it (budget, yearly ceiling); later levels confirm that decision."""

        def attempt() -> Application:
            application = self.application(application_id, principal, expected_version)
            application.ensure_level(level_of_jurisdiction(principal.region))
            fund = self.fund(application.fund_id, principal)
            known_person(self, application.person_id, principal).ensure_living()
            changed: list[Any] = [application]
            snapshot = application.snapshot or {}
            if not application.approved_levels:  # the decision: the amount is reserved now
                snapshot = self._snapshot(fund, application)
                amount = snapshot["amount_fen"]
                person_year = self.person_year(application.person_id, fund.year)
                person_year.add(str(application.id), fund.region, amount, self.ceilings(fund.region, fund.year))
                fund.reserve(str(application.id), application.person_id, amount, snapshot["yearly_ceiling_fen"])
                changed += [fund, person_year]
            application.approve(
                level_of_jurisdiction(principal.region), snapshot, reason, actor_of(principal), self.clock.now()
            )
            self.save(*changed)
            return application

        return self._on_fund(self.application(application_id, principal).fund_id, attempt)

    def deny(
        self, application_id: UUID, reason: str, principal: Principal, expected_version: int | None = None
    ) -> Application:
        def attempt() -> Application:
            application = self.application(application_id, principal, expected_version)
            reserved = application.reserved
            application.deny(level_of_jurisdiction(principal.region), reason, actor_of(principal), self.clock.now())
            changed: list[Any] = [application]
            if reserved:  # denied at a higher level: the lower level's reservation goes back to the fund
                changed += self.release(application, "denied")
            self.save(*changed)
            return application

        return self._on_fund(self.application(application_id, principal).fund_id, attempt)

    def release(self, application: Application, why: str, load: Callable[[UUID], Any] | None = None) -> list[Any]:
        """Give an unpaid reservation back: to the fund, and out of the person's year (unsaved)."""
        get = load or self.get_or_none
        fund: Fund = get(UUID(application.fund_id))
        fund.release(str(application.id), why)
        changed: list[Any] = [fund]
        person_year: PersonYear | None = get(PersonYear.create_id(application.person_id, fund.year))
        if person_year is not None:
            person_year.remove(str(application.id))
            changed.append(person_year)
        return changed

    def notify_person(
        self,
        application_id: UUID,
        method: str,
        notified_on: date,
        principal: Principal,
        expected_version: int | None = None,
    ) -> Application:
        """告知: how and when the person was told of the decision."""
        application = self.application(application_id, principal, expected_version)
        application.notify(method, notified_on, actor_of(principal), self.clock.now())
        self.save(application)
        return application

    def disburse(
        self, application_id: UUID, reference: str, key: str, paid_on: date, principal: Principal
    ) -> Application:
        """拨付, at most once whatever the retries: the same key answers the first payment again; a PaymentClaim
        saved with the payment makes a concurrent second one fail."""

        def attempt() -> Application:
            application = self.application(application_id, principal)
            if application.payment is None:
                known_person(self, application.person_id, principal).ensure_living()
            if not application.disburse(reference, key, paid_on, actor_of(principal), self.clock.now()):
                return application  # the same payment asked again
            assert application.amount_fen is not None
            fund = self.fund(application.fund_id, principal)
            fund.record_payment(str(application.id))
            paid_for = PaymentClaim.for_application(application.id)
            claim = PaymentClaim(paid_for=paid_for, amount_fen=application.amount_fen, reference=reference)
            self.save(application, fund, claim)
            return application

        # A conflict is another payment of this application (then the next attempt answers AlreadyPaid, or the
        # first payment again for its key) or another command on the fund (then this one is decided again).
        return self._on_fund(self.application(application_id, principal).fund_id, attempt)

    def assign_fund(
        self, application_id: UUID, fund_id: UUID, principal: Principal, expected_version: int | None = None
    ) -> Application:
        """The receiving side decides where a transferred application goes: one of its funds that covers the
        person's new region; acceptance starts again there."""
        application = self.application(application_id, principal, expected_version)
        if application.status != "transfer_pending":
            raise OutOfOrder(
                "只有迁入待处理的申请可以改投资金 (only an application waiting after a transfer is assigned a fund)",
                waiting_for=application.waiting_for,
            )
        fund = self.fund(fund_id, principal)
        if not is_within(application.region, fund.region):
            raise Invalid("fund_id", "该资金不覆盖申请人现居地区 (the fund does not cover where the person lives now)")
        if fund.kind == FundKind.regular_entitlement:
            raise Invalid("fund_id", "定期抚恤补助请办理登记 (a regular entitlement takes enrolments)")
        application.move(str(fund.id), application.region, actor_of(principal), self.clock.now())
        self.save(application)
        return application

    def evaluate(
        self, application_id: UUID, finding: str, principal: Principal, expected_version: int | None = None
    ) -> Application:
        """跟踪回访、总结评估: the follow-up visit's finding."""
        application = self.application(application_id, principal, expected_version)
        application.evaluate(finding, actor_of(principal), self.clock.now())
        self.save(application)
        return application
