"""Assistance domain (帮扶资金): funds with budgets and versioned rules, applications from request to payment,
regular entitlements and their monthly payrolls, and the guards that keep money right. Amounts are integer fen.

The invariants live here: a fund reserves an approved amount only within its budget and the person's yearly
ceiling (saved with optimistic concurrency, so concurrent approvals cannot both take the last yuan); a payment
claim, whose id is derived from what it pays, exists once; a suspended application (the person died) is never
paid. @event bodies run again on replay: they get every date and id passed in.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from assistance.rules import LEVEL_NAMES, Rules
from vet_common.domain import Actor, Conflict, Refused, derived_id
from vet_common.money import format_yuan
from vet_common.people import PersonReplica

# The registry's people, as assistance knows them from vet.registry.v1, are kept in this store too.
__all__ = [
    "Application",
    "Ceiling",
    "Enrolment",
    "EnrolmentEndings",
    "Fund",
    "FundIndex",
    "PaymentClaim",
    "Payroll",
    "PersonFile",
    "PersonReplica",
    "PersonYear",
]


class OverBudget(Conflict):
    """The fund's remaining budget does not cover the amount."""


class OverCeiling(Conflict):
    """The amount would take the person beyond the fund's yearly ceiling."""


class OutOfOrder(Conflict):
    """The application is not at the step asked for."""


class WrongLevel(Refused):
    """This step belongs to another level of government (or another role)."""


class AlreadyPaid(Conflict):
    """A payment for this was already recorded."""


def _yuan(fen: int) -> str:
    return f"{format_yuan(fen)} 元"


# Funds -------------------------------------------------------------------------------------------------------


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


# Applications -------------------------------------------------------------------------------------------------

OPEN = frozenset({"submitted", "returned", "accepted", "approved", "notified", "transfer_pending"})


class Application(Aggregate):
    """One application to a fund (申请), filed by the person or by the station on their behalf (代办), through
    受理 → 审批 (each level) → 告知 → 拨付 → 跟踪回访. Every step records who, when and why."""

    class Submitted(Aggregate.Created):
        fund_id: str
        fund_kind: str
        person_id: str
        region: str
        on_behalf_of: bool
        facts: dict[str, int]
        documents: list[str]
        actor: Actor
        at: datetime

    @event(Submitted)
    def __init__(
        self,
        *,
        fund_id: str,
        fund_kind: str,
        person_id: str,
        region: str,
        on_behalf_of: bool,
        facts: dict[str, int],
        documents: list[str],
        actor: Actor,
        at: datetime,
    ) -> None:
        self.fund_id, self.fund_kind, self.person_id, self.region = fund_id, fund_kind, person_id, region
        self.on_behalf_of = on_behalf_of
        self.facts, self.documents = facts, documents
        self.status = "submitted"
        self.levels: list[str] = []  # the approval levels the amount needs, in order
        self.approved_levels: list[str] = []
        self.snapshot: dict[str, Any] | None = None  # the decision: rule version, inputs, amount
        self.steps: list[dict[str, Any]] = [self._step("submitted", actor, at)]
        self.payment: dict[str, Any] | None = None
        self.denied = False

    @staticmethod
    def _step(name: str, actor: Actor, at: datetime, **details: Any) -> dict[str, Any]:
        return {"step": name, "by": actor.sub, "role": actor.role, "at": at.isoformat(), **details}

    @property
    def waiting_for(self) -> str | None:
        """The next step and who takes it: "accept", "approve:county", "notify", "disburse", "evaluate"."""
        if self.status == "submitted":
            return "accept"
        if self.status == "returned":
            return "resubmit"
        if self.status == "accepted":
            return f"approve:{self.levels[len(self.approved_levels)]}"
        if self.status == "approved" or (self.status == "denied" and not self.denied_notified):
            return "notify"
        if self.status == "notified":
            return "disburse"
        if self.status == "disbursed":
            return "evaluate"
        if self.status == "transfer_pending":
            return "transfer"
        return None

    @property
    def denied_notified(self) -> bool:
        return any(step["step"] == "notified" for step in self.steps)

    @property
    def amount_fen(self) -> int | None:
        return None if self.snapshot is None else int(self.snapshot["amount_fen"])

    def _expect(self, *statuses: str, step: str) -> None:
        if self.status not in statuses:
            raise OutOfOrder(
                f"当前状态为“{STATUS_NAMES.get(self.status, self.status)}”，不能{STEP_NAMES[step]} "
                f"(the application is {self.status}; {step} is not possible now)",
                status=self.status,
                waiting_for=self.waiting_for,
            )

    def accept(self, snapshot: dict[str, Any], levels: list[str], actor: Actor, at: datetime) -> None:
        self._expect("submitted", step="accept")
        self._accepted(snapshot=snapshot, levels=levels, actor=actor, at=at)

    @event("Accepted")
    def _accepted(self, *, snapshot: dict[str, Any], levels: list[str], actor: Actor, at: datetime) -> None:
        self.status, self.snapshot, self.levels = "accepted", snapshot, levels
        self.steps.append(self._step("accepted", actor, at, amount_fen=snapshot["amount_fen"]))

    def return_for(self, missing: list[str], reason: str, actor: Actor, at: datetime) -> None:
        self._expect("submitted", step="return")
        self._returned(missing=missing, reason=reason, actor=actor, at=at)

    @event("Returned")
    def _returned(self, *, missing: list[str], reason: str, actor: Actor, at: datetime) -> None:
        self.status = "returned"
        self.steps.append(self._step("returned", actor, at, missing=missing, reason=reason))

    def resubmit(self, facts: dict[str, int], documents: list[str], actor: Actor, at: datetime) -> None:
        self._expect("returned", step="resubmit")
        self._resubmitted(facts=facts, documents=documents, actor=actor, at=at)

    @event("Resubmitted")
    def _resubmitted(self, *, facts: dict[str, int], documents: list[str], actor: Actor, at: datetime) -> None:
        self.status, self.facts, self.documents = "submitted", facts, documents
        self.steps.append(self._step("resubmitted", actor, at))

    def ensure_level(self, level: str) -> None:
        """WrongLevel unless `level` is the one whose approval the application waits for."""
        self._expect("accepted", step="approve")
        due = self.levels[len(self.approved_levels)]
        if level != due:
            raise WrongLevel(
                f"本步骤须由{LEVEL_NAMES[due]}审批，您是{LEVEL_NAMES.get(level, level)} "
                f"(this step needs the {due} level's approval, you act for the {level} level)",
                waiting_for=self.waiting_for,
            )

    def approve(self, level: str, snapshot: dict[str, Any], reason: str, actor: Actor, at: datetime) -> None:
        self.ensure_level(level)
        final = len(self.approved_levels) + 1 == len(self.levels)
        self._approved(level=level, snapshot=snapshot, final=final, reason=reason, actor=actor, at=at)

    @event("Approved")
    def _approved(
        self, *, level: str, snapshot: dict[str, Any], final: bool, reason: str, actor: Actor, at: datetime
    ) -> None:
        self.snapshot = snapshot
        self.approved_levels.append(level)
        if final:
            self.status = "approved"
        self.steps.append(self._step("approved", actor, at, level=level, reason=reason))

    def deny(self, level: str, reason: str, actor: Actor, at: datetime) -> None:
        self.ensure_level(level)
        self._denied(level=level, reason=reason, actor=actor, at=at)

    @event("Denied")
    def _denied(self, *, level: str, reason: str, actor: Actor, at: datetime) -> None:
        self.status, self.denied = "denied", True
        self.steps.append(self._step("denied", actor, at, level=level, reason=reason))

    def notify(self, method: str, notified_on: date, actor: Actor, at: datetime) -> None:
        if self.waiting_for != "notify":
            self._expect("approved", step="notify")
        self._notified(method=method, notified_on=notified_on, actor=actor, at=at)

    @event("Notified")
    def _notified(self, *, method: str, notified_on: date, actor: Actor, at: datetime) -> None:
        if self.status == "approved":
            self.status = "notified"
        self.steps.append(self._step("notified", actor, at, method=method, notified_on=notified_on.isoformat()))

    def disburse(self, reference: str, key: str, paid_on: date, actor: Actor, at: datetime) -> bool:
        """Record the payment; False (nothing new) when it is the same payment again (its key)."""
        if self.payment is not None and self.payment["key"] == key:
            return False
        if self.payment is not None:
            raise AlreadyPaid(
                f"该申请已于 {self.payment['paid_on']} 拨付（{self.payment['reference']}），不能重复拨付 "
                "(this application was already paid)",
                payment_reference=self.payment["reference"],
            )
        if self.status == "suspended":
            raise Conflict("该申请已中止（本人已去世），不能拨付 (suspended: the person has died; nothing is paid)")
        self._expect("notified", step="disburse")
        assert self.amount_fen is not None
        self._disbursed(reference=reference, key=key, amount_fen=self.amount_fen, paid_on=paid_on, actor=actor, at=at)
        return True

    @event("Disbursed")
    def _disbursed(
        self, *, reference: str, key: str, amount_fen: int, paid_on: date, actor: Actor, at: datetime
    ) -> None:
        self.status = "disbursed"
        self.payment = {"reference": reference, "key": key, "amount_fen": amount_fen, "paid_on": paid_on.isoformat()}
        self.steps.append(self._step("disbursed", actor, at, reference=reference, amount_fen=amount_fen))

    def evaluate(self, finding: str, actor: Actor, at: datetime) -> None:
        self._expect("disbursed", step="evaluate")
        self._evaluated(finding=finding, actor=actor, at=at)

    @event("Evaluated")
    def _evaluated(self, *, finding: str, actor: Actor, at: datetime) -> None:
        self.status = "evaluated"
        self.steps.append(self._step("evaluated", actor, at, finding=finding))

    @property
    def reserved(self) -> bool:
        """Whether the fund holds an unpaid reservation for it (the first approval reserves the amount)."""
        return bool(self.approved_levels) and self.status in {"accepted", "approved", "notified"}

    def suspend(self, died_on: date, actor: Actor, at: datetime) -> bool:
        """The person died: no further step and no payment. False for an application already closed."""
        if self.status not in OPEN:
            return False
        self._suspended(died_on=died_on, was=self.status, actor=actor, at=at)
        return True

    @event("Suspended")
    def _suspended(self, *, died_on: date, was: str, actor: Actor, at: datetime) -> None:
        self.status = "suspended"
        self.steps.append(self._step("suspended", actor, at, died_on=died_on.isoformat(), was=was))

    def move(self, fund_id: str | None, region: str, actor: Actor, at: datetime) -> None:
        """The person moved (PersonTransferred): the application goes to the receiving region's fund of the same
        kind and starts again at acceptance there; with no such fund it waits for the receiving county."""
        self._moved(fund_id=fund_id, from_fund_id=self.fund_id, region=region, actor=actor, at=at)

    @event("Moved")
    def _moved(self, *, fund_id: str | None, from_fund_id: str, region: str, actor: Actor, at: datetime) -> None:
        self.region = region
        self.fund_id = fund_id or from_fund_id
        self.status = "submitted" if fund_id else "transfer_pending"
        self.levels, self.approved_levels, self.snapshot = [], [], None
        self.steps.append(self._step("moved", actor, at, region=region, fund_id=fund_id))


STATUS_NAMES = {
    "submitted": "待受理",
    "returned": "已退回",
    "accepted": "审批中",
    "approved": "已审批",
    "denied": "未批准",
    "notified": "已告知",
    "disbursed": "已拨付",
    "evaluated": "已回访",
    "suspended": "已中止",
    "transfer_pending": "待迁入地处理",
}
STEP_NAMES = {
    "accept": "受理",
    "return": "退回",
    "resubmit": "重新提交",
    "approve": "审批",
    "notify": "告知",
    "disburse": "拨付",
    "evaluate": "回访评估",
}


class PersonFile(Aggregate):
    """A person's applications and enrolments here: what PersonDied and PersonTransferred act on."""

    @staticmethod
    def create_id(person_id: str) -> uuid.UUID:
        return derived_id("assistance.person-file", person_id)

    @event("Opened")
    def __init__(self, *, person_id: str) -> None:
        self.person_id = person_id
        self.applications: list[str] = []
        self.enrolments: list[str] = []

    @event("ApplicationFiled")
    def file_application(self, *, application_id: str) -> None:
        self.applications.append(application_id)

    @event("EnrolmentFiled")
    def file_enrolment(self, *, enrolment_id: str) -> None:
        self.enrolments.append(enrolment_id)


class PaymentClaim(Aggregate):
    """ "Paid once": its id derives from the application it pays, so a second payment collides in the event store
    whatever the retries. (A payroll is its own claim on its lines: see Payroll.)"""

    @staticmethod
    def create_id(paid_for: str) -> uuid.UUID:
        return derived_id("assistance.payment", paid_for)

    @staticmethod
    def for_application(application_id: uuid.UUID | str) -> str:
        return f"application:{application_id}"

    @event("Claimed")
    def __init__(self, *, paid_for: str, amount_fen: int, reference: str) -> None:
        self.paid_for, self.amount_fen, self.reference = paid_for, amount_fen, reference


# Regular entitlements ------------------------------------------------------------------------------------------


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


class Enrolment(Aggregate):
    """A person enrolled in a regular-entitlement fund (定期抚恤补助): a monthly amount from a start month, paid
    each month until it ends (the month of death is the last paid; a transfer out ends it the month before).
    One per person and fund: its id derives from both, so a repeated proposal finds the first."""

    @staticmethod
    def create_id(fund_id: uuid.UUID | str, person_id: str) -> uuid.UUID:
        return derived_id("assistance.enrolment", fund_id, person_id)

    class Started(Aggregate.Created):
        fund_id: str
        person_id: str
        region: str
        monthly_fen: int
        start_month: str
        proposed: bool
        actor: Actor

    @event(Started)
    def __init__(
        self,
        *,
        fund_id: str,
        person_id: str,
        region: str,
        monthly_fen: int,
        start_month: str,
        proposed: bool,
        actor: Actor,
    ) -> None:
        self.fund_id, self.person_id, self.region = fund_id, person_id, region
        self.monthly_fen, self.start_month = monthly_fen, start_month
        self.status = "proposed" if proposed else "active"
        self.last_month: str | None = None
        self.end_reason: str | None = None

    def confirm(self, monthly_fen: int, start_month: str, actor: Actor) -> None:
        if self.status != "proposed":
            raise OutOfOrder(f"该登记不是待确认状态（{self.status}） (only a proposed enrolment can be confirmed)")
        self._confirmed(monthly_fen=monthly_fen, start_month=start_month, actor=actor)

    @event("Confirmed")
    def _confirmed(self, *, monthly_fen: int, start_month: str, actor: Actor) -> None:
        self.status, self.monthly_fen, self.start_month = "active", monthly_fen, start_month

    def end(self, last_month: str, reason: str, actor: Actor) -> bool:
        """Stop paying after `last_month`; False if it had ended already."""
        if self.status == "ended":
            return False
        self._ended(last_month=last_month, reason=reason, actor=actor)
        return True

    @event("Ended")
    def _ended(self, *, last_month: str, reason: str, actor: Actor) -> None:
        self.status, self.last_month, self.end_reason = "ended", last_month, reason

    def payable_in(self, month: str) -> bool:
        if self.status == "proposed" or month < self.start_month:
            return False
        return self.last_month is None or month <= self.last_month


class EnrolmentEndings(Aggregate):
    """Which of a fund's enrolments ended, and their last paid month: a payroll checks its lines against this,
    in the event store, so a death the read models have not shown yet still stops the payment."""

    @staticmethod
    def create_id(fund_id: uuid.UUID | str) -> uuid.UUID:
        return derived_id("assistance.enrolment-endings", fund_id)

    @event("Started")
    def __init__(self, *, fund_id: str) -> None:
        self.fund_id = fund_id
        self.last_months: dict[str, str] = {}

    @event("Recorded")
    def record(self, *, enrolment_id: str, last_month: str) -> None:
        self.last_months[enrolment_id] = last_month


class Payroll(Aggregate):
    """One fund's payroll for one month (月度发放表): computed, approved, then released to the bank. Its id derives
    from fund and month, so a month is computed once: it is the claim "paid once per person and month" on each
    line (an enrolment is one person's in one fund)."""

    @staticmethod
    def create_id(fund_id: uuid.UUID | str, month: str) -> uuid.UUID:
        return derived_id("assistance.payroll", fund_id, month)

    class Computed(Aggregate.Created):
        fund_id: str
        region: str
        month: str
        lines: list[list[Any]]
        actor: Actor

    @event(Computed)
    def __init__(self, *, fund_id: str, region: str, month: str, lines: list[list[Any]], actor: Actor) -> None:
        # A line is [enrolment id, person id, region, amount in fen]: compact, a payroll may have 100,000.
        self.fund_id, self.region, self.month, self.lines = fund_id, region, month, lines
        self.status = "computed"
        self.voided: dict[str, str] = {}  # enrolment -> why its line is not paid

    @property
    def payable(self) -> list[list[Any]]:
        return [line for line in self.lines if line[0] not in self.voided]

    @property
    def total_fen(self) -> int:
        return sum(int(line[3]) for line in self.payable)

    def void(self, enrolment_id: str, why: str) -> bool:
        """Take a line out before release (the person died or moved away); False if there is none to take."""
        if self.status == "released" or enrolment_id in self.voided:
            return False
        if not any(line[0] == enrolment_id for line in self.lines):
            return False
        self._voided(enrolment_id=enrolment_id, why=why)
        return True

    @event("LineVoided")
    def _voided(self, *, enrolment_id: str, why: str) -> None:
        self.voided[enrolment_id] = why

    def approve(self, actor: Actor) -> None:
        if self.status != "computed":
            raise OutOfOrder(f"发放表已{self.status}，不能再审批 (the payroll is {self.status}, not awaiting approval)")
        self._approved(actor=actor)

    @event("Approved")
    def _approved(self, *, actor: Actor) -> None:
        self.status = "approved"

    def release(self, actor: Actor) -> None:
        if self.status != "approved":
            raise OutOfOrder(
                f"发放表须先审批再发放（当前 {self.status}） (a payroll is approved before it is released)"
            )
        self._released(actor=actor)

    @event("Released")
    def _released(self, *, actor: Actor) -> None:
        self.status = "released"
