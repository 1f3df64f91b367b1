"""How outreach publishes on vet.outreach.v1: its domain events -> the events of vet_contracts.outreach."""

from __future__ import annotations

from outreach.domain.contacts import Contact
from outreach.domain.request_deadlines import DeadlineRules
from outreach.domain.requests import PersonRequests, Request, RequestStep
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
    },
    internal=REPLICA_EVENTS  # the replica mirrors the registry's events: republishing it would echo them
    # Steps only this service acts on (progress notes, the person's moves and death), and its bookkeeping.
    | {Request.Assigned, Request.Started, Request.ProgressNoted, Request.Moved, Request.PersonDeceasedNoted}
    | {PersonRequests.Started, PersonRequests.Added, DeadlineRules.Set, DeadlineRules.Changed},
)
