"""How assistance publishes on vet.assistance.v1: its domain events -> the events of vet_contracts.assistance.

Extracted are ids, region codes, kinds, levels and amounts: never a reason, a finding or what was missing (free
text that may hold personal details).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eventsourcing.domain import Aggregate

from assistance import domain as _domain
from vet_common.people import REPLICA_EVENTS
from vet_common.translation import Publish, TranslationTable
from vet_contracts import PublicEvent
from vet_contracts import assistance as public

SOURCE = "assistance"
# @event("Name") creates Fund.BudgetChanged ... when the class is built, out of mypy's sight.
domain: Any = _domain


def with_state(event: type[PublicEvent], extract: Callable[[Any, Any], Mapping[str, Any]]) -> Publish:
    """Published with its aggregate's state after the event, and in the aggregate's region."""
    return Publish(event, extract, region=lambda e, state: state.region)


def fund(event: type[PublicEvent], extra: Callable[[Any, Any], Mapping[str, Any]]) -> Publish:
    return with_state(event, lambda e, f: {"fund_id": str(f.id), "kind": f.kind, "year": f.year, **extra(e, f)})


def application(event: type[PublicEvent], extra: Callable[[Any, Any], Mapping[str, Any]] = lambda e, a: {}) -> Publish:
    return with_state(
        event,
        lambda e, a: {
            "application_id": str(a.id),
            "fund_id": a.fund_id,
            "fund_kind": a.fund_kind,
            "person_id": a.person_id,
            **extra(e, a),
        },
    )


def enrolment(event: type[PublicEvent], extra: Callable[[Any, Any], Mapping[str, Any]]) -> Publish:
    return with_state(
        event,
        lambda e, n: {
            "enrolment_id": str(n.id),
            "fund_id": n.fund_id,
            "person_id": n.person_id,
            "monthly_fen": n.monthly_fen,
            "yearly_fen": n.yearly_fen or 0,
            "start_month": n.start_month,
            **extra(e, n),
        },
    )


def payroll(event: type[PublicEvent]) -> Publish:
    return with_state(
        event,
        lambda e, p: {
            "payroll_id": str(p.id),
            "fund_id": p.fund_id,
            "month": p.month,
            "lines": len(p.payable),
            "total_fen": p.total_fen,
            "by_county": by_county(p.payable),
        },
    )


def by_county(lines: list[list[Any]]) -> dict[str, dict[str, int]]:
    """A payroll's lines ([enrolment, person, region, fen]) counted and summed per county."""
    shares: dict[str, dict[str, int]] = {}
    for _, _, region, amount in lines:
        share = shares.setdefault(region[:6], {"lines": 0, "total_fen": 0})
        share["lines"] += 1
        share["total_fen"] += amount
    return shares


TRANSLATIONS = TranslationTable(
    source=SOURCE,
    stateful=Aggregate.Event,
    published={
        domain.Fund.Created: fund(
            public.FundCreated, lambda e, f: {"name": f.name, "budget_fen": f.budget_fen, "rules_version": 1}
        ),
        domain.Fund.BudgetChanged: fund(
            public.FundBudgetChanged, lambda e, f: {"budget_fen": e.budget_fen, "change_fen": e.change_fen}
        ),
        domain.Fund.RulesVersioned: fund(public.FundRulesVersioned, lambda e, f: {"rules_version": e.version}),
        domain.Application.Submitted: application(
            public.ApplicationSubmitted, lambda e, a: {"on_behalf_of": a.on_behalf_of}
        ),
        domain.Application.Accepted: application(
            public.ApplicationAccepted, lambda e, a: {"amount_fen": e.snapshot["amount_fen"], "levels": e.levels}
        ),
        domain.Application.Returned: application(
            public.ApplicationReturned, lambda e, a: {"missing_count": len(e.missing)}
        ),
        domain.Application.Approved: application(
            public.ApplicationApproved,
            lambda e, a: {
                "level": e.level,
                "final": e.final,
                "amount_fen": e.snapshot["amount_fen"],
                "rules_version": e.snapshot["rules_version"],
            },
        ),
        domain.Application.Denied: application(public.ApplicationDenied, lambda e, a: {"level": e.level}),
        domain.Application.Notified: application(
            public.ApplicationNotified, lambda e, a: {"method": e.method, "notified_on": e.notified_on.isoformat()}
        ),
        domain.Application.Disbursed: application(
            public.ApplicationDisbursed, lambda e, a: {"amount_fen": e.amount_fen, "paid_on": e.paid_on.isoformat()}
        ),
        domain.Application.Evaluated: application(public.ApplicationEvaluated),
        domain.Application.Suspended: application(
            public.ApplicationSuspended, lambda e, a: {"died_on": e.died_on.isoformat()}
        ),
        domain.Enrolment.Started: enrolment(public.EnrolmentStarted, lambda e, n: {"status": n.status}),
        domain.Enrolment.Confirmed: enrolment(public.EnrolmentConfirmed, lambda e, n: {"status": n.status}),
        domain.Enrolment.Ended: enrolment(
            public.EnrolmentEnded, lambda e, n: {"last_month": e.last_month, "reason": e.reason}
        ),
        domain.Payroll.Computed: payroll(public.PayrollComputed),
        domain.Payroll.Approved: payroll(public.PayrollApproved),
        domain.Payroll.Released: payroll(public.PayrollReleased),
    },
    internal=REPLICA_EVENTS
    | {
        # Bookkeeping inside assistance: budget reservations, lookups, guards and corrections of a payroll.
        domain.Fund.Reserved,
        domain.Fund.Released,
        domain.Fund.Paid,
        domain.Fund.PersonMerged,
        domain.Ceiling.Set,
        domain.Ceiling.Changed,
        domain.PersonYear.Opened,
        domain.PersonYear.Added,
        domain.PersonYear.Removed,
        domain.PersonYear.Absorbed,
        domain.FundIndex.Started,
        domain.FundIndex.Added,
        domain.Application.Resubmitted,
        domain.Application.Moved,
        domain.Application.PersonMerged,
        domain.PersonFile.Opened,
        domain.PersonFile.ApplicationFiled,
        domain.PersonFile.EnrolmentFiled,
        domain.PaymentClaim.Claimed,
        domain.EnrolmentEndings.Started,
        domain.EnrolmentEndings.Recorded,
        domain.EnrolmentRoll.Started,
        domain.EnrolmentRoll.Entered,
        domain.EnrolmentRoll.Ended,
        domain.Payroll.LineVoided,
    },
)
