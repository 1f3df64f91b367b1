"""Integration events assistance publishes on vet.assistance.v1.

They carry ids, region codes, fund kinds, levels, statuses and amounts in fen; never names, ID numbers or the
free text of a step (a reason, a finding, what was missing), which may hold personal details: those stay in
assistance and are read through its API.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from vet_contracts.envelope import PublicEvent

# Assistance's codes as it spells them, with the Chinese names screens and reports show (帮扶资金).
FUND_KIND_NAMES: dict[str, str] = {
    "hardship_aid": "解三难资金",
    "care_fund": "关爱基金",
    "temporary_hardship_aid": "临时困难救助",
    "emergency_aid": "应急救助",
    "regular_entitlement": "定期抚恤补助",
}
# Highest first: approval levels go upwards, township to province.
LEVEL_NAMES: dict[str, str] = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇（街道）"}
APPLICATION_STATUS_NAMES: dict[str, str] = {
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


class FundFacts(BaseModel):
    fund_id: str
    kind: str = ""  # "" only in events published before funds had kinds
    year: int


class FundCreatedData(FundFacts):
    """data of FundCreated (schema_version 1). `name` is the programme's title (e.g. 2026年解三难资金)."""

    name: str
    budget_fen: int
    rules_version: int = 1


class FundBudgetChangedData(FundFacts):
    """data of FundBudgetChanged: the new budget and the change (negative for a cut)."""

    budget_fen: int
    change_fen: int


class FundRulesVersionedData(FundFacts):
    """data of FundRulesVersioned: applications decided before keep the version they were decided on."""

    rules_version: int


class ApplicationFacts(BaseModel):
    application_id: str
    fund_id: str
    fund_kind: str
    person_id: str


class ApplicationSubmittedData(ApplicationFacts):
    on_behalf_of: bool


class ApplicationAcceptedData(ApplicationFacts):
    amount_fen: int
    levels: list[str]


class ApplicationReturnedData(ApplicationFacts):
    missing_count: int


class ApplicationApprovedData(ApplicationFacts):
    """One level's approval; `final` when it was the last level the amount needs."""

    level: str
    final: bool
    amount_fen: int
    rules_version: int


class ApplicationDeniedData(ApplicationFacts):
    level: str


class ApplicationNotifiedData(ApplicationFacts):
    method: str
    notified_on: str


class ApplicationDisbursedData(ApplicationFacts):
    amount_fen: int
    paid_on: str


class ApplicationEvaluatedData(ApplicationFacts):
    pass


class ApplicationSuspendedData(ApplicationFacts):
    died_on: str


class EnrolmentFacts(BaseModel):
    enrolment_id: str
    fund_id: str
    person_id: str
    monthly_fen: int
    start_month: str
    yearly_fen: int = 0  # a fund paying once a year: this on its pay month, and monthly_fen is 0


class EnrolmentStartedData(EnrolmentFacts):
    """`status` "proposed" (from the registry's alert, awaiting an officer) or "active"."""

    status: str


class EnrolmentEndedData(EnrolmentFacts):
    last_month: str
    reason: str  # "died" or "transferred"


class PayrollShare(BaseModel):
    lines: int
    total_fen: int


class PayrollData(BaseModel):
    payroll_id: str
    fund_id: str
    month: str
    lines: int
    total_fen: int
    # The same per county (6-digit code) of the people paid, so a province fund's payroll counts where they live.
    by_county: dict[str, PayrollShare] = {}


class FundCreated(PublicEvent):
    """A region created a fund programme with a yearly budget (in fen) and its first rules."""

    type: Literal["FundCreated"]
    data: FundCreatedData


class FundBudgetChanged(PublicEvent):
    """An officer raised or cut a fund's budget (never below what is committed)."""

    type: Literal["FundBudgetChanged"]
    data: FundBudgetChangedData


class FundRulesVersioned(PublicEvent):
    """A fund's rules changed: a new version."""

    type: Literal["FundRulesVersioned"]
    data: FundRulesVersionedData


class ApplicationSubmitted(PublicEvent):
    """An application was filed (申请), by the person or on their behalf (代办)."""

    type: Literal["ApplicationSubmitted"]
    data: ApplicationSubmittedData


class ApplicationAccepted(PublicEvent):
    """An application was accepted (受理) with its amount and the levels that approve it."""

    type: Literal["ApplicationAccepted"]
    data: ApplicationAcceptedData


class ApplicationReturned(PublicEvent):
    """An application went back to the station for what is missing."""

    type: Literal["ApplicationReturned"]
    data: ApplicationReturnedData


class ApplicationApproved(PublicEvent):
    """One level approved (审批); the first approval reserves the amount in the fund."""

    type: Literal["ApplicationApproved"]
    data: ApplicationApprovedData


class ApplicationDenied(PublicEvent):
    """A level denied the application."""

    type: Literal["ApplicationDenied"]
    data: ApplicationDeniedData


class ApplicationNotified(PublicEvent):
    """The person was told of the decision (告知)."""

    type: Literal["ApplicationNotified"]
    data: ApplicationNotifiedData


class ApplicationDisbursed(PublicEvent):
    """The amount was paid (拨付)."""

    type: Literal["ApplicationDisbursed"]
    data: ApplicationDisbursedData


class ApplicationEvaluated(PublicEvent):
    """The follow-up visit was recorded (跟踪回访)."""

    type: Literal["ApplicationEvaluated"]
    data: ApplicationEvaluatedData


class ApplicationSuspended(PublicEvent):
    """The person died: the application stops and is never paid."""

    type: Literal["ApplicationSuspended"]
    data: ApplicationSuspendedData


class EnrolmentStarted(PublicEvent):
    """A person was enrolled in a regular entitlement (proposed or active)."""

    type: Literal["EnrolmentStarted"]
    data: EnrolmentStartedData


class EnrolmentConfirmed(PublicEvent):
    """An officer confirmed a proposed enrolment: it is paid from its start month."""

    type: Literal["EnrolmentConfirmed"]
    data: EnrolmentStartedData


class EnrolmentEnded(PublicEvent):
    """An enrolment ended (death or transfer out) after its last paid month."""

    type: Literal["EnrolmentEnded"]
    data: EnrolmentEndedData


class PayrollComputed(PublicEvent):
    """A month's payroll of a regular-entitlement fund was computed."""

    type: Literal["PayrollComputed"]
    data: PayrollData


class PayrollApproved(PublicEvent):
    """A payroll was approved for release."""

    type: Literal["PayrollApproved"]
    data: PayrollData


class PayrollReleased(PublicEvent):
    """A payroll was released to the bank."""

    type: Literal["PayrollReleased"]
    data: PayrollData


EVENTS: tuple[type[PublicEvent], ...] = (
    FundCreated,
    FundBudgetChanged,
    FundRulesVersioned,
    ApplicationSubmitted,
    ApplicationAccepted,
    ApplicationReturned,
    ApplicationApproved,
    ApplicationDenied,
    ApplicationNotified,
    ApplicationDisbursed,
    ApplicationEvaluated,
    ApplicationSuspended,
    EnrolmentStarted,
    EnrolmentConfirmed,
    EnrolmentEnded,
    PayrollComputed,
    PayrollApproved,
    PayrollReleased,
)
