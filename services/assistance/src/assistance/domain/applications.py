"""Applications (申请) through 受理 → 审批 → 告知 → 拨付 → 回访; a person's file of them; the claim that pays each
once. A suspended application (the person died) is never paid. @event bodies run again on replay: they get every
date and id passed in."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from assistance.domain.errors import AlreadyPaid, OutOfOrder, WrongLevel
from assistance.rules import LEVEL_NAMES
from vet_common.domain import Actor, Conflict, derived_id
from vet_contracts import assistance

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

    def merge_into(self, person_id: str, region: str, actor: Actor, at: datetime) -> bool:
        """The registry merged this person's record into `person_id` (the one kept, 合并): the open application
        carries on for that record, at the step it had reached. False if it is closed or already theirs."""
        if self.status not in OPEN or self.person_id == person_id:
            return False
        self._person_merged(person_id=person_id, from_person_id=self.person_id, region=region, actor=actor, at=at)
        return True

    @event("PersonMerged")
    def _person_merged(self, *, person_id: str, from_person_id: str, region: str, actor: Actor, at: datetime) -> None:
        self.person_id, self.region = person_id, region
        self.steps.append(self._step("merged", actor, at, from_person_id=from_person_id, person_id=person_id))

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


STATUS_NAMES = assistance.APPLICATION_STATUS_NAMES
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

    def file_merged(self, application_id: str) -> None:
        """An open application of a record merged into this one."""
        if application_id not in self.applications:
            self.file_application(application_id=application_id)

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
