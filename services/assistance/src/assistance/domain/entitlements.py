"""Regular entitlements (定期抚恤补助): enrolments, the fund's roll of them (花名册), and the monthly payroll
(月度发放表) that pays each active enrolment once."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from assistance.domain.errors import OutOfOrder
from vet_common.domain import Actor, derived_id


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def paid_in(month: str, first: str, last: str | None, pay_month: int | None) -> bool:
    """Whether an enrolment running from `first` to `last` (None: still running) is paid in `month`: every month,
    or with a yearly amount (`pay_month`) once a year, in that month of each year it runs through."""
    if month < first or (last is not None and month > last):
        return False
    return pay_month is None or int(month[5:]) == pay_month


class Enrolment(Aggregate):
    """A person enrolled in a regular-entitlement fund (定期抚恤补助): a monthly amount from a start month, paid
    each month until it ends (the month of death is the last paid; a transfer out ends it the month before);
    or a yearly amount (按年发放), paid in the fund's pay month of each year it runs through.
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
        # A yearly amount (none in events stored before yearly amounts: those are monthly); monthly_fen is 0.
        yearly_fen: int | None = None
        pay_month: int | None = None

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
        yearly_fen: int | None = None,
        pay_month: int | None = None,
    ) -> None:
        self.fund_id, self.person_id, self.region = fund_id, person_id, region
        self.monthly_fen, self.start_month = monthly_fen, start_month
        self.yearly_fen, self.pay_month = yearly_fen, pay_month
        self.status = "proposed" if proposed else "active"
        self.last_month: str | None = None
        self.end_reason: str | None = None

    @property
    def amount_fen(self) -> int:
        """What one payroll line pays it: the monthly amount, or the yearly one in its pay month."""
        return self.monthly_fen if self.yearly_fen is None else self.yearly_fen

    def confirm(self, amount_fen: int, start_month: str, actor: Actor) -> None:
        """Confirm a proposal with its amount (monthly, or yearly for a yearly enrolment) and first month."""
        if self.status != "proposed":
            raise OutOfOrder(f"该登记不是待确认状态（{self.status}） (only a proposed enrolment can be confirmed)")
        if self.yearly_fen is None:
            self._confirmed(monthly_fen=amount_fen, start_month=start_month, actor=actor, yearly_fen=None)
        else:
            self._confirmed(monthly_fen=0, start_month=start_month, actor=actor, yearly_fen=amount_fen)

    @event("Confirmed")
    def _confirmed(self, *, monthly_fen: int, start_month: str, actor: Actor, yearly_fen: int | None = None) -> None:
        self.status, self.monthly_fen, self.start_month = "active", monthly_fen, start_month
        if yearly_fen is not None:
            self.yearly_fen = yearly_fen

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
        return self.status != "proposed" and paid_in(month, self.start_month, self.last_month, self.pay_month)


class EnrolmentRoll(Aggregate):
    """One share of a fund's roll (花名册): its active enrolments with amount and first month, and the last month
    of those that ended. A payroll reads the fund's shares from the event store, so what it pays never waits for
    the read models (a death recorded a moment ago already stops the payment), and reads a few aggregates, not
    100,000. An enrolment is in the share its id falls in; shares keep enrolments of one fund from all
    contending for one aggregate."""

    SHARES = 64

    @staticmethod
    def create_id(fund_id: uuid.UUID | str, share: int) -> uuid.UUID:
        return derived_id("assistance.enrolment-roll", fund_id, share)

    @classmethod
    def id_for(cls, enrolment: Enrolment) -> uuid.UUID:
        return cls.create_id(enrolment.fund_id, enrolment.id.int % cls.SHARES)

    @event("Started")
    def __init__(self, *, fund_id: str, share: int) -> None:
        self.fund_id, self.share = fund_id, share
        # enrolment id -> [person id, region, amount in fen, first month, last month or None, pay month or None
        # (monthly)]: compact, a share of a big fund holds thousands. Entries from before yearly amounts have 5.
        self.entries: dict[str, list[Any]] = {}

    def add(self, enrolment: Enrolment) -> None:
        """Enter an active enrolment: paid from its start month on (each month, or in its pay month)."""
        self.enter(
            enrolment_id=str(enrolment.id),
            person_id=enrolment.person_id,
            region=enrolment.region,
            amount_fen=enrolment.amount_fen,
            start_month=enrolment.start_month,
            pay_month=enrolment.pay_month,
        )

    @event("Entered")
    def enter(
        self,
        *,
        enrolment_id: str,
        person_id: str,
        region: str,
        amount_fen: int,
        start_month: str,
        pay_month: int | None = None,
    ) -> None:
        self.entries[enrolment_id] = [person_id, region, amount_fen, start_month, None, pay_month]

    def end(self, enrolment_id: str, last_month: str) -> None:
        if enrolment_id in self.entries:
            self._ended(enrolment_id=enrolment_id, last_month=last_month)

    @event("Ended")
    def _ended(self, *, enrolment_id: str, last_month: str) -> None:
        self.entries[enrolment_id][4] = last_month

    def payable_in(self, month: str) -> list[list[Any]]:
        """The payroll lines of `month`: [enrolment id, person id, region, amount in fen]."""
        number = int(month[5:])  # paid_in, inlined: a big fund's share has thousands of entries
        return [
            [enrolment_id, entry[0], entry[1], entry[2]]
            for enrolment_id, entry in self.entries.items()
            if entry[3] <= month
            and (entry[4] is None or month <= entry[4])
            and (len(entry) < 6 or entry[5] is None or entry[5] == number)
        ]


class EnrolmentEndings(Aggregate):
    """Superseded by EnrolmentRoll (which holds each enrolment's last month); kept so that its stored events
    still decode when the notification log is replayed."""

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
