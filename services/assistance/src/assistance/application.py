"""Assistance commands: one named method per use case; each loads, asks the domain, saves in one transaction.

Approvals contend for their fund's budget: a command that loses the optimistic-concurrency race (another
approval reserved first) reloads and decides again on what the winner saved, so the budget is never exceeded
and nobody is refused while money remains.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from assistance.domain import (
    Application,
    Ceiling,
    Enrolment,
    EnrolmentEndings,
    Fund,
    FundIndex,
    OutOfOrder,
    PaymentClaim,
    Payroll,
    PersonFile,
    PersonYear,
    WrongLevel,
)
from assistance.rules import (
    LEVEL_NAMES,
    Facts,
    FundKind,
    MonthlyAmount,
    Rules,
    compute_amount,
    ineligibility,
    level_of_jurisdiction,
)
from vet_common.auth import Principal
from vet_common.domain import Actor, Conflict, Invalid, NotFound, PreconditionFailed, Refused
from vet_common.eventstore import ServiceApplication
from vet_common.jurisdiction import ensure_visible, region_keys
from vet_common.people import PersonReplica, known_person
from vet_common.regions import is_within

T = TypeVar("T")
CONTENDED_ATTEMPTS = 400  # every one of 100 concurrent approvals of one fund gets its turn


class NotEligible(Conflict):
    """The person does not meet the fund's eligibility rule; `reasons` says which part."""


class AssistanceApplication(ServiceApplication):
    # A busy fund's reservations: loaded from a snapshot, not replayed event by event.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Fund: 100}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._retries_lock = threading.Lock()
        self._fund_locks: dict[str, threading.Lock] = {}
        self.conflicts_retried = 0  # conflicts lost and decided again: what the benchmark reports

    # Funds ----------------------------------------------------------------------------------------------------

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

    def get_fund(self, fund_id: UUID) -> Fund | None:
        found = self.get_or_none(fund_id)
        return found if isinstance(found, Fund) else None

    def fund(self, fund_id: UUID | str, principal: Principal, expected_version: int | None = None) -> Fund:
        """A fund the caller may use: one of their jurisdiction, or one above it that covers it (a township
        station files applications to its county's fund)."""
        fund = self.get_fund(UUID(str(fund_id)))
        if fund is None or not (principal.can_see(fund.region) or is_within(principal.region, fund.region)):
            raise NotFound(NO_SUCH_FUND)
        _check_version(fund.version, expected_version)
        return fund

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
            fund.change_budget(budget_fen, reason, _actor(principal))
            self.save(fund)
            return fund

        # Only If-Match makes a concurrent approval a reason to stop; otherwise decide again on the new total.
        return attempt() if expected_version is not None else self._contended(attempt, 20)

    def version_rules(
        self, fund_id: UUID, rules: Rules, reason: str, principal: Principal, expected_version: int | None = None
    ) -> int:
        def attempt() -> int:
            fund = self.owned_fund(fund_id, principal, expected_version)
            if fund.kind == FundKind.regular_entitlement and not isinstance(rules.amount, MonthlyAmount):
                raise Invalid("rules.amount", _MONTHLY_ONLY)
            version = fund.version_rules(rules, reason, _actor(principal))
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

    # Applications ---------------------------------------------------------------------------------------------

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
            actor=_actor(principal),
            at=self.clock.now(),
        )
        file = self._person_file(person_id)
        file.file_application(application_id=str(application.id))
        self.save(application, file)
        return application.id

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

    def get_application(self, application_id: UUID) -> Application | None:
        found = self.get_or_none(application_id)
        return found if isinstance(found, Application) else None

    def application(
        self, application_id: UUID | str, principal: Principal, expected_version: int | None = None
    ) -> Application:
        application = self.get_application(UUID(str(application_id)))
        ensure_visible(principal, application.region if application else None, "申请")
        assert application is not None
        _check_version(application.version, expected_version)
        return application

    def accept(self, application_id: UUID, principal: Principal, expected_version: int | None = None) -> Application:
        """受理: the accepting level checks the documents; the amount and the levels that approve it are set."""
        application = self.application(application_id, principal, expected_version)
        fund = self.fund(application.fund_id, principal)
        _ensure_acting_level(principal, fund.rules.approval.accept, "受理")
        snapshot = self._snapshot(fund, application)
        levels = fund.rules.approval.levels_for(snapshot["amount_fen"])
        application.accept(snapshot, levels, _actor(principal), self.clock.now())
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
        _ensure_acting_level(principal, fund.rules.approval.accept, "退回")
        application.return_for(missing, reason, _actor(principal), self.clock.now())
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
        application.resubmit(facts.model_dump(exclude_none=True), documents, _actor(principal), self.clock.now())
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
                level_of_jurisdiction(principal.region), snapshot, reason, _actor(principal), self.clock.now()
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
            application.deny(level_of_jurisdiction(principal.region), reason, _actor(principal), self.clock.now())
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
            ceiling = Ceiling(region=region, year=year, ceiling_fen=ceiling_fen, reason=reason, actor=_actor(principal))
        else:
            ceiling.change(ceiling_fen=ceiling_fen, reason=reason, actor=_actor(principal))
        self.save(ceiling)
        return ceiling

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
        application.notify(method, notified_on, _actor(principal), self.clock.now())
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
            if not application.disburse(reference, key, paid_on, _actor(principal), self.clock.now()):
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
        application.move(str(fund.id), application.region, _actor(principal), self.clock.now())
        self.save(application)
        return application

    def evaluate(
        self, application_id: UUID, finding: str, principal: Principal, expected_version: int | None = None
    ) -> Application:
        """跟踪回访、总结评估: the follow-up visit's finding."""
        application = self.application(application_id, principal, expected_version)
        application.evaluate(finding, _actor(principal), self.clock.now())
        self.save(application)
        return application

    # Regular entitlements -------------------------------------------------------------------------------------

    def enrol(
        self, *, fund_id: UUID, person_id: str, monthly_fen: int | None, start_month: str, principal: Principal
    ) -> UUID:
        fund = self.fund(fund_id, principal)
        if fund.kind != FundKind.regular_entitlement:
            raise Invalid("fund_id", "只有定期抚恤补助资金可以登记按月发放 (only a regular-entitlement fund enrols)")
        person = self._eligible_person(fund, person_id, principal)
        enrolment_id = Enrolment.create_id(fund.id, person_id)
        if self.get_or_none(enrolment_id) is not None:
            raise Conflict("该人员已在本资金登记 (already enrolled in this fund)", existing_id=str(enrolment_id))
        enrolment = self._new_enrolment(
            fund, person_id, person.region, monthly_fen, start_month, False, _actor(principal)
        )
        file = self._person_file(person_id)
        file.file_enrolment(enrolment_id=str(enrolment.id))
        self.save(enrolment, file)
        return enrolment.id

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
        enrolment = self.enrolment(enrolment_id, principal)
        known_person(self, enrolment.person_id, principal).ensure_living()
        enrolment.confirm(
            enrolment.monthly_fen if monthly_fen is None else monthly_fen,
            start_month or enrolment.start_month,
            _actor(principal),
        )
        self.save(enrolment)
        return enrolment

    def compute_payroll(
        self, fund_id: UUID, month: str, candidates: list[dict[str, Any]], principal: Principal
    ) -> tuple[Payroll, bool]:
        """One line per enrolment payable in `month`. The payroll is the claim on each of its lines: its id derives
        from fund and month and an enrolment's from fund and person, so nobody is on two payrolls of one fund and
        month whatever the retries (100,000 claim aggregates beside it cost ten times the payroll itself).

        `candidates` are the fund's active enrolments as the read model lists them; endings (death, transfer)
        are checked against the event store's EnrolmentEndings, which the read model may not show yet.
        Running it twice gives the first payroll again (False: not new).
        """
        fund = self.fund(fund_id, principal)
        if fund.kind != FundKind.regular_entitlement:
            raise Invalid("fund_id", "只有定期抚恤补助资金有月度发放表 (only a regular-entitlement fund has payrolls)")
        existing: Payroll | None = self.get_or_none(Payroll.create_id(fund.id, month))
        if existing is not None:
            return existing, False
        endings: EnrolmentEndings | None = self.get_or_none(EnrolmentEndings.create_id(fund.id))
        ended = endings.last_months if endings else {}
        lines = [
            [doc["_id"], doc["person_id"], doc["region"], int(doc["monthly_fen"])]
            for doc in sorted(candidates, key=lambda doc: (doc["region"], doc["_id"]))  # by village, as banks list
            if doc["start_month"] <= month and (doc["_id"] not in ended or month <= ended[doc["_id"]])
        ]
        payroll = Payroll(fund_id=str(fund.id), region=fund.region, month=month, lines=lines, actor=_actor(principal))
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
        payroll.approve(_actor(principal))
        self.save(payroll)
        return payroll

    def release_payroll(self, payroll_id: UUID, principal: Principal) -> Payroll:
        payroll = self.payroll(payroll_id, principal)
        payroll.release(_actor(principal))
        self.save(payroll)
        return payroll

    # Concurrency ----------------------------------------------------------------------------------------------

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


SYSTEM = Actor(sub="assistance", role="system")
NO_SUCH_FUND = "查无此资金或不在本辖区 (no such fund in your jurisdiction)"
_MONTHLY_ONLY = "定期抚恤补助资金的金额规则须为按月金额 (a regular-entitlement fund pays a monthly amount)"


def _actor(principal: Principal) -> Actor:
    return Actor(sub=principal.sub, role=",".join(sorted(role.value for role in principal.roles)))


def _check_version(version: int, expected: int | None) -> None:
    if expected is not None and version != expected:
        raise PreconditionFailed(
            f"记录已被他人修改（当前第 {version} 版，您看到的是第 {expected} 版），请刷新后重试 "
            f"(the record changed since you loaded it: version {version}, not {expected})",
            version=version,
        )


def _ensure_acting_level(principal: Principal, level: str, step: str) -> None:
    acting = level_of_jurisdiction(principal.region)
    if acting != level:
        raise WrongLevel(
            f"{step}须由{LEVEL_NAMES[level]}办理，您是{LEVEL_NAMES.get(acting, acting)} "
            f"(this step is taken at the {level} level, you act for the {acting} level)"
        )
