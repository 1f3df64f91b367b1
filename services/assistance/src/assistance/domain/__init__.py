"""Assistance domain (帮扶资金): funds with budgets and versioned rules, applications from request to payment,
regular entitlements and their monthly payrolls, and the guards that keep money right. Amounts are integer fen.

Each part is a module (funds, applications, entitlements); their aggregates are named here too, so imports and
the topics of events stored before the split ("assistance.domain:Fund.Created" ...) resolve as before.
"""

from assistance.domain.applications import (
    OPEN,
    STATUS_NAMES,
    STEP_NAMES,
    Application,
    PaymentClaim,
    PersonFile,
)
from assistance.domain.entitlements import Enrolment, EnrolmentEndings, EnrolmentRoll, Payroll, next_month, paid_in
from assistance.domain.errors import AlreadyPaid, OutOfOrder, OverBudget, OverCeiling, WrongLevel
from assistance.domain.funds import Ceiling, Fund, FundIndex, PersonYear
from vet_common.people import PersonReplica

# The registry's people, as assistance knows them from vet.registry.v1, are kept in this store too.
__all__ = [
    "OPEN",
    "STATUS_NAMES",
    "STEP_NAMES",
    "AlreadyPaid",
    "Application",
    "Ceiling",
    "Enrolment",
    "EnrolmentEndings",
    "EnrolmentRoll",
    "Fund",
    "FundIndex",
    "OutOfOrder",
    "OverBudget",
    "OverCeiling",
    "PaymentClaim",
    "Payroll",
    "PersonFile",
    "PersonReplica",
    "PersonYear",
    "WrongLevel",
    "next_month",
    "paid_in",
]
