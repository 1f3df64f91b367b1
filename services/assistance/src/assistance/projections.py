"""Assistance read models in MongoDB, one document per fund, application, enrolment and payroll, each holding its
aggregate's state after the event (version-guarded), shaped for the lists the API serves.

Every document carries `jurisdictions` (vet_common.jurisdiction) and a `key` to page by (keyset `after`):
lists are equalities on an indexed field plus the jurisdiction key, never a scan.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from assistance.domain import Application, Enrolment, EnrolmentRoll, Fund, Payroll
from vet_common.eventstore import ServiceApplication
from vet_common.jurisdiction import region_keys
from vet_common.projector import ReadModelBatch
from vet_common.states import AggregateStates


def fund_view(fund: Fund) -> dict[str, Any]:
    return {
        "name": fund.name,
        "kind": fund.kind,
        "region": fund.region,
        "year": fund.year,
        "budget_fen": fund.budget_fen,
        "committed_fen": fund.committed_fen,
        "disbursed_fen": fund.disbursed_fen,
        "remaining_fen": fund.remaining_fen,
        "rules_version": fund.rules_version,
        "jurisdictions": region_keys(fund.region),
        "key": f"{fund.year:04d}|{fund.kind}|{fund.id}",
    }


def application_view(application: Application) -> dict[str, Any]:
    return {
        "fund_id": application.fund_id,
        "fund_kind": application.fund_kind,
        "person_id": application.person_id,
        "region": application.region,
        "status": application.status,
        "waiting_for": application.waiting_for,
        "amount_fen": application.amount_fen,
        "paid_fen": application.payment["amount_fen"] if application.payment else 0,
        "year": int(application.steps[0]["at"][:4]),
        "submitted_at": application.steps[0]["at"],
        "jurisdictions": region_keys(application.region),
        "key": f"{application.steps[0]['at']}|{application.id}",
    }


def enrolment_view(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "fund_id": enrolment.fund_id,
        "person_id": enrolment.person_id,
        "region": enrolment.region,
        "monthly_fen": enrolment.monthly_fen,
        "yearly_fen": enrolment.yearly_fen,
        "pay_month": enrolment.pay_month,
        "start_month": enrolment.start_month,
        "status": enrolment.status,
        "last_month": enrolment.last_month,
        "end_reason": enrolment.end_reason,
        "jurisdictions": region_keys(enrolment.region),
        "key": str(enrolment.id),
    }


def payroll_view(payroll: Payroll) -> dict[str, Any]:
    return {
        "fund_id": payroll.fund_id,
        "region": payroll.region,
        "month": payroll.month,
        "status": payroll.status,
        "lines": len(payroll.payable),
        "total_fen": payroll.total_fen,
        "jurisdictions": region_keys(payroll.region),
        "key": f"{payroll.month}|{payroll.id}",
    }


def payroll_shares(payroll: Payroll) -> dict[int, dict[str, Any]]:
    """The payroll's lines in the shares of the fund's roll (EnrolmentRoll): what each enrolment is paid on it.
    A person's ledger reads the few documents of their enrolment's share (one per month), not a 100,000-line
    payroll; a payroll writes 64 documents of ~1,600 entries each, not one per line."""
    shares: dict[int, dict[str, int]] = {n: {} for n in range(EnrolmentRoll.SHARES)}
    for enrolment_id, _, _, amount_fen in payroll.payable:
        shares[UUID(enrolment_id).int % EnrolmentRoll.SHARES][enrolment_id] = int(amount_fen)
    common = {"fund_id": payroll.fund_id, "month": payroll.month, "status": payroll.status}
    return {share: {**common, "share": share, "paid": paid} for share, paid in shares.items()}


VIEWS: dict[type, tuple[str, Any]] = {
    Fund: ("funds", fund_view),
    Application: ("applications", application_view),
    Enrolment: ("enrolments", enrolment_view),
    Payroll: ("payrolls", payroll_view),
}
EVENT_BASES = tuple(aggregate.Event for aggregate in VIEWS)  # type: ignore[attr-defined]


class AssistanceProjection:
    def __init__(self, application: ServiceApplication) -> None:
        self.states = AggregateStates(application)

    async def setup(self, db: AsyncDatabase[Any]) -> None:
        await db.funds.create_index([("jurisdictions", 1), ("key", 1)])
        await db.funds.create_index([("region", 1), ("key", 1)])
        for field in ("fund_id", "person_id", "waiting_for", "status"):
            await db.applications.create_index([(field, 1), ("jurisdictions", 1), ("key", 1)])
        await db.applications.create_index([("jurisdictions", 1), ("key", 1)])
        await db.enrolments.create_index([("fund_id", 1), ("status", 1), ("key", 1)])
        await db.enrolments.create_index([("person_id", 1)])
        await db.enrolments.create_index([("jurisdictions", 1), ("status", 1), ("key", 1)])
        await db.payrolls.create_index([("fund_id", 1), ("key", 1)])
        await db.payroll_shares.create_index([("fund_id", 1), ("share", 1), ("status", 1), ("month", 1)])

    async def apply(self, batch: ReadModelBatch, event: Any, position: int) -> None:
        if not isinstance(event, EVENT_BASES):
            return
        state = self.states.after(event)
        collection, view = VIEWS[type(state)]
        batch.put(collection, str(event.originator_id), event.originator_version, view(state))
        if isinstance(state, Payroll):
            for share, doc in payroll_shares(state).items():
                batch.put("payroll_shares", f"{state.id}:{share}", event.originator_version, doc)
