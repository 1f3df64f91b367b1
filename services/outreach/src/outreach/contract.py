"""How outreach publishes on vet.outreach.v1: its domain events -> the events of vet_contracts.outreach."""

from __future__ import annotations

from datetime import date
from typing import Any

from outreach.domain.campaigns import Campaign, CampaignCalendar, CampaignTarget
from outreach.domain.contacts import Contact
from outreach.domain.pairings import Pairing
from outreach.domain.request_deadlines import DeadlineRules
from outreach.domain.requests import PersonRequests, Request, RequestStep
from outreach.domain.rules import ContactRules
from outreach.domain.schedule import ContactFile
from outreach.domain.summaries import CountySummary
from outreach.domain.todo import PersonTodo, TodoItem
from vet_common.people import REPLICA_EVENTS
from vet_common.translation import Publish, TranslationTable
from vet_contracts import outreach as public

SOURCE = "outreach"


def request_facts(e: RequestStep | Request.Registered, step_on: str) -> dict[str, object]:
    """The facts every request event carries (vet_contracts.outreach.RequestFacts) and the date of the step.
    The summary and every note stay in outreach: they are free text that may hold personal details."""
    return {
        "request_id": str(e.originator_id),
        "person_id": e.person_id,
        "category": e.category,
        "grade": e.grade,
        "status": getattr(e, "status", "registered"),
        step_on: (e.on if isinstance(e, RequestStep) else e.registered_on).isoformat(),
    }


def _county(_: Any, summary: Any) -> str:
    return str(summary.county)


def _submitted(e: Any, campaign_id: str, county: str, resubmission: bool) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "county": county,
        **e.figures,
        "submitted_on": e.submitted_on.isoformat(),
        "late": e.late,
        "resubmission": resubmission,
    }


def _reviewed(summary: Any, on: date) -> dict[str, Any]:
    return {"campaign_id": summary.campaign_id, "county": summary.county, "reviewed_on": on.isoformat()}


# Kept inside outreach: a person's contact file is derived from contacts, pairings and the registry's events
# (published as those); the rules and the to-do list are the service's own working state.
CONTACTS_INTERNAL = {
    ContactFile.Opened,
    ContactFile.Followed,
    ContactFile.Counted,
    ContactFile.Uncounted,
    ContactFile.Paired,
    ContactFile.Unpaired,
    ContactRules.Configured,
    ContactRules.Changed,
    TodoItem.Raised,
    TodoItem.Done,
    TodoItem.Moved,
    TodoItem.Cancelled,
    PersonTodo.Started,
    PersonTodo.Listed,
}

TRANSLATIONS = TranslationTable(
    source=SOURCE,
    published={
        # Findings stay in outreach: they may hold personal details.
        Contact.Recorded: Publish(
            public.ContactRecorded,
            lambda e, _: {
                "contact_id": str(e.originator_id),
                "person_id": e.person_id,
                "method": e.method,
                "contacted_on": e.contacted_on.isoformat(),
                "staff": e.staff,
                "needs_follow_up": e.needs_follow_up,
                "occasion": e.occasion,
                "campaign_id": e.campaign_id,
                "group_id": e.group_id,
            },
        ),
        # A correction's reason and findings stay in outreach (free text); the state after it is published.
        Contact.Corrected: Publish(
            public.ContactCorrected,
            lambda e, contact: {
                "contact_id": str(e.originator_id),
                "person_id": contact.person_id,
                "corrected": sorted(e.changes),
                "method": contact.method,
                "contacted_on": contact.contacted_on.isoformat(),
                "staff": contact.staff,
                "needs_follow_up": contact.needs_follow_up,
                "occasion": contact.occasion,
            },
            region=lambda _, contact: contact.region,
        ),
        Contact.Withdrawn: Publish(
            public.ContactWithdrawn,
            lambda e, contact: {"contact_id": str(e.originator_id), "person_id": contact.person_id},
            region=lambda _, contact: contact.region,
        ),
        Pairing.Started: Publish(
            public.PairingStarted,
            lambda e, _: {
                "pairing_id": str(e.originator_id),
                "person_id": e.person_id,
                "staff": e.staff,
                "started_on": e.started_on.isoformat(),
            },
        ),
        Pairing.Ended: Publish(
            public.PairingEnded,
            lambda e, _: {
                "pairing_id": str(e.originator_id),
                "person_id": e.person_id,
                "reason": e.reason,
                "ended_on": e.ended_on.isoformat(),
                "proposed_to": e.proposed_to,
            },
        ),
        # The request ledger.
        Request.Registered: Publish(
            public.RequestRegistered,
            lambda e, _: {
                **request_facts(e, "registered_on"),
                "deadline": e.deadline.isoformat(),
                "responsible_region": e.responsible_region,
                "found_in_contact_id": e.found_in_contact,
                "rules_version": e.rules_version,
            },
        ),
        Request.Accepted: Publish(
            public.RequestAccepted, lambda e, _: {**request_facts(e, "accepted_on"), "assignee": e.assignee}
        ),
        Request.Resolved: Publish(public.RequestResolved, lambda e, _: request_facts(e, "resolved_on")),
        Request.FollowedUp: Publish(
            public.RequestFollowedUp,
            lambda e, _: {
                **request_facts(e, "followed_up_on"),
                "satisfaction": e.satisfaction,
                "contact_id": e.contact_id,
            },
        ),
        Request.Closed: Publish(public.RequestClosed, lambda e, _: request_facts(e, "closed_on")),
        Request.Reopened: Publish(
            public.RequestReopened,
            lambda e, _: {**request_facts(e, "reopened_on"), "deadline": e.deadline.isoformat()},
        ),
        Request.Escalated: Publish(
            public.RequestEscalated,
            lambda e, _: {
                **request_facts(e, "escalated_on"),
                "supervised_by": e.supervised_by,
                "level": e.level,
                "automatic": e.automatic,
            },
        ),
        Campaign.Launched: Publish(
            public.CampaignLaunched,
            lambda e, campaign: {
                "campaign_id": str(e.originator_id),
                "occasion": campaign.occasion,
                "launched_on": e.launched_on.isoformat(),
                "plan_due": campaign.plan_due.isoformat(),
                "visits_due": campaign.visits_due.isoformat(),
                "report_due": campaign.report_due.isoformat(),
                "target_groups": campaign.rule.codes,
            },
            region=lambda _, campaign: campaign.region,
        ),
        Campaign.TargetListFrozen: Publish(
            public.TargetListFrozen,
            lambda e, _: {
                "campaign_id": str(e.originator_id),
                "targets": e.targets,
                "by_group": e.by_group,
                "by_county": e.by_county,
            },
            region=lambda _, campaign: campaign.region,
        ),
        CountySummary.Submitted: Publish(
            public.CampaignSummarySubmitted, lambda e, _: _submitted(e, e.campaign_id, e.county, False), _county
        ),
        CountySummary.Resubmitted: Publish(
            public.CampaignSummarySubmitted,
            lambda e, summary: _submitted(e, summary.campaign_id, summary.county, True),
            _county,
        ),
        CountySummary.Approved: Publish(
            public.CampaignSummaryApproved, lambda e, summary: _reviewed(summary, e.approved_on), _county
        ),
        # The reason stays here: it may name people.
        CountySummary.Returned: Publish(
            public.CampaignSummaryReturned, lambda e, summary: _reviewed(summary, e.returned_on), _county
        ),
    },
    internal=REPLICA_EVENTS  # the replica mirrors the registry's events: republishing it would echo them
    # Steps only this service acts on (progress notes, the person's moves and death), and its bookkeeping.
    | {Request.Assigned, Request.Started, Request.ProgressNoted, Request.Moved, Request.PersonDeceasedNoted}
    | {PersonRequests.Started, PersonRequests.Added, DeadlineRules.Set, DeadlineRules.Changed}
    | {Campaign.Planned, CampaignCalendar.Opened, CampaignCalendar.Listed}
    # 40,000 per launch, one per person: the public counts are TargetListFrozen's.
    | {CampaignTarget.Frozen, CampaignTarget.Counted, CampaignTarget.Reached, CampaignTarget.Released}
    | {CampaignTarget.Moved, CampaignTarget.Died, CampaignTarget.MovedAway}
    | CONTACTS_INTERNAL,
    stateful=(Campaign.Event, CountySummary.Event, Contact.Event),
)
