"""Integration events outreach publishes on vet.outreach.v1."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from vet_contracts.envelope import PublicEvent


class ContactRecordedData(BaseModel):
    """data of ContactRecorded (schema_version 1). Findings stay in outreach: they may hold personal details."""

    contact_id: str
    person_id: str
    method: str  # home_visit, phone, video, wechat, sms, meeting, group_activity, medical_round
    contacted_on: str
    staff: str  # the staff member's account (sub)
    needs_follow_up: bool
    occasion: str | None
    campaign_id: str | None
    group_id: str | None  # one entry for many people (a meeting, a group activity) shares this id


class ContactRecorded(PublicEvent):
    """A staff member contacted or visited a person."""

    type: Literal["ContactRecorded"]
    data: ContactRecordedData


class ContactCorrectedData(BaseModel):
    """data of ContactCorrected: the fields a correction changed and their new values; the reason stays in
    outreach (free text), as do corrected findings."""

    contact_id: str
    person_id: str
    corrected: list[str]  # names of the fields changed: method, contacted_on, staff, findings, ...
    method: str
    contacted_on: str
    staff: str
    needs_follow_up: bool
    occasion: str | None


class ContactCorrected(PublicEvent):
    """A mistaken contact record was put right (never edited in place: this event says what changed)."""

    type: Literal["ContactCorrected"]
    data: ContactCorrectedData


class ContactWithdrawnData(BaseModel):
    """data of ContactWithdrawn: the reason stays in outreach (free text)."""

    contact_id: str
    person_id: str


class ContactWithdrawn(PublicEvent):
    """A contact record was withdrawn: it no longer counts toward anything."""

    type: Literal["ContactWithdrawn"]
    data: ContactWithdrawnData


class PairingStartedData(BaseModel):
    pairing_id: str
    person_id: str
    staff: str  # the staff member's account (sub)
    started_on: str


class PairingStarted(PublicEvent):
    """A staff member was paired with a key contact (结对)."""

    type: Literal["PairingStarted"]
    data: PairingStartedData


class PairingEndedData(BaseModel):
    pairing_id: str
    person_id: str
    reason: str  # reassigned, transferred, deceased, staff_left, no_longer_key_contact, other
    ended_on: str
    proposed_to: str | None  # for a transfer: the receiving county, asked to pair the person anew


class PairingEnded(PublicEvent):
    """A pairing ended."""

    type: Literal["PairingEnded"]
    data: PairingEndedData


CONTACT_AND_PAIRING_EVENTS: tuple[type[PublicEvent], ...] = (
    ContactCorrected,
    ContactWithdrawn,
    PairingStarted,
    PairingEnded,
)


# The request ledger (诉求台账). What was asked, done or said stays in outreach: only codes, ids and dates leave.


# A request's category and the satisfaction at its follow-up visit, as outreach spells them, with the Chinese
# names screens and reports show.
REQUEST_CATEGORY_NAMES: dict[str, str] = {
    "medical": "医疗",
    "housing": "住房",
    "employment": "就业",
    "education": "子女教育",
    "living_difficulty": "生活困难",
    "policy_question": "政策咨询",
    "petition": "信访",
    "other": "其他",
}
SATISFACTION_NAMES: dict[str, str] = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}


class RequestFacts(BaseModel):
    """What every request event says about the request after it, so a consumer needs no history."""

    request_id: str
    person_id: str
    category: str  # medical, housing, employment, education, living_difficulty, policy_question, petition, other
    grade: str  # ordinary, urgent, major
    status: str  # registered, accepted, in_progress, resolved, closed


class RequestRegisteredData(RequestFacts):
    """data of RequestRegistered (schema_version 1)."""

    registered_on: str
    deadline: str
    responsible_region: str  # the unit responsible (its region code), e.g. a township's station
    found_in_contact_id: str | None  # the contact it was found in, if any
    rules_version: int  # the version of the deadline table the deadline comes from (0: the defaults)


class RequestAcceptedData(RequestFacts):
    """data of RequestAccepted (schema_version 1)."""

    accepted_on: str
    assignee: str | None  # the responsible staff member's account (sub)


class RequestResolvedData(RequestFacts):
    """data of RequestResolved (schema_version 1): what was done stays in outreach."""

    resolved_on: str


class RequestFollowedUpData(RequestFacts):
    """data of RequestFollowedUp (schema_version 1): the follow-up visit (回访) and the person's satisfaction."""

    followed_up_on: str
    satisfaction: str  # satisfied, basically_satisfied, dissatisfied (which reopens the request)
    contact_id: str | None


class RequestClosedData(RequestFacts):
    """data of RequestClosed (schema_version 1)."""

    closed_on: str


class RequestReopenedData(RequestFacts):
    """data of RequestReopened (schema_version 1): the person was dissatisfied; a new deadline runs."""

    reopened_on: str
    deadline: str


class RequestEscalatedData(RequestFacts):
    """data of RequestEscalated (schema_version 1): the level above supervises it (督办)."""

    escalated_on: str
    supervised_by: str  # the region code of the supervising level
    level: int  # how many levels above the responsible unit
    automatic: bool  # by the daily run (overdue), or by an officer


class RequestRegistered(PublicEvent):
    """A difficulty or request of a person was registered in the ledger."""

    type: Literal["RequestRegistered"]
    data: RequestRegisteredData


class RequestAccepted(PublicEvent):
    """The responsible unit accepted the request (受理)."""

    type: Literal["RequestAccepted"]
    data: RequestAcceptedData


class RequestResolved(PublicEvent):
    """The request was resolved (化解); the follow-up visit is next."""

    type: Literal["RequestResolved"]
    data: RequestResolvedData


class RequestFollowedUp(PublicEvent):
    """The person was visited again about the resolved request (回访) and said how satisfied they are."""

    type: Literal["RequestFollowedUp"]
    data: RequestFollowedUpData


class RequestClosed(PublicEvent):
    """The request is closed (办结): the person was satisfied at the follow-up visit."""

    type: Literal["RequestClosed"]
    data: RequestClosedData


class RequestReopened(PublicEvent):
    """The person was dissatisfied at the follow-up visit: the request is dealt with again."""

    type: Literal["RequestReopened"]
    data: RequestReopenedData


class RequestEscalated(PublicEvent):
    """The request was escalated to the level above (督办), overdue or by an officer."""

    type: Literal["RequestEscalated"]
    data: RequestEscalatedData


REQUEST_EVENTS: tuple[type[PublicEvent], ...] = (
    RequestRegistered,
    RequestAccepted,
    RequestResolved,
    RequestFollowedUp,
    RequestClosed,
    RequestReopened,
    RequestEscalated,
)


# Campaigns (走访慰问活动) and their county summary tables (情况汇总表).


class CampaignLaunchedData(BaseModel):
    """data of CampaignLaunched (schema_version 1): a visit drive (走访慰问活动) of the envelope's region started."""

    campaign_id: str
    occasion: str  # e.g. 八一, 春节
    launched_on: str
    plan_due: str
    visits_due: str
    report_due: str
    target_groups: list[str]  # the codes of the target rule's groups


class CampaignLaunched(PublicEvent):
    """A campaign was launched: its target list is being frozen."""

    type: Literal["CampaignLaunched"]
    data: CampaignLaunchedData


class TargetListFrozenData(BaseModel):
    """data of TargetListFrozen (schema_version 1): counts only, never who."""

    campaign_id: str
    targets: int
    by_group: dict[str, int]  # a person in two groups counts in both
    by_county: dict[str, int]  # county code -> targets living there


class TargetListFrozen(PublicEvent):
    """A launched campaign's target list is complete; later registrations do not join it."""

    type: Literal["TargetListFrozen"]
    data: TargetListFrozenData


class CampaignSummarySubmittedData(BaseModel):
    """data of CampaignSummarySubmitted (schema_version 1): a county's summary table (情况汇总表)."""

    campaign_id: str
    county: str
    visited_by_group: dict[str, int]
    money_fen: int  # money handed out, in fen
    goods_fen: int  # the value of goods handed out, in fen
    problems_found: int
    problems_solved: int
    submitted_on: str
    late: bool  # after the report deadline
    resubmission: bool  # after the level above returned it


class CampaignSummarySubmitted(PublicEvent):
    """A county submitted (or, after it was returned, resubmitted) its summary table."""

    type: Literal["CampaignSummarySubmitted"]
    data: CampaignSummarySubmittedData


class CampaignSummaryReviewedData(BaseModel):
    """data of CampaignSummaryApproved and CampaignSummaryReturned (schema_version 1). A return's reason stays
    in outreach: it may name people."""

    campaign_id: str
    county: str
    reviewed_on: str


class CampaignSummaryApproved(PublicEvent):
    """The level above approved a county's summary table."""

    type: Literal["CampaignSummaryApproved"]
    data: CampaignSummaryReviewedData


class CampaignSummaryReturned(PublicEvent):
    """The level above returned a county's summary table for correction."""

    type: Literal["CampaignSummaryReturned"]
    data: CampaignSummaryReviewedData


CAMPAIGN_EVENTS: tuple[type[PublicEvent], ...] = (
    CampaignLaunched,
    TargetListFrozen,
    CampaignSummarySubmitted,
    CampaignSummaryApproved,
    CampaignSummaryReturned,
)

EVENTS: tuple[type[PublicEvent], ...] = (
    ContactRecorded,
    *CONTACT_AND_PAIRING_EVENTS,
    *REQUEST_EVENTS,
    *CAMPAIGN_EVENTS,
)
