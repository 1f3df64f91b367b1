"""The request ledger (诉求台账): register, take through the loop, escalate (督办), list; the deadline table."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from outreach.api.contacts import ContactIn
from outreach.application import OutreachApplication
from outreach.application.requests import Acting
from outreach.domain.request_deadlines import DeadlineTable
from outreach.domain.requests import Request, RequestCategory, RequestGrade, RequestStatus, Satisfaction
from outreach.projections.requests import MAX_PAGE, RequestSearch, find_requests, requests_of_person
from vet_common.api import AppClock, IfMatch, ReadModels, actor_of, get_application
from vet_common.auth import CurrentPrincipal, Principal, Role, require_roles
from vet_common.domain import Clock
from vet_common.jurisdiction import ensure_visible
from vet_common.openapi import problem, problems
from vet_common.people import PersonReplica

Outreach = Annotated[OutreachApplication, Depends(get_application)]
CAN_ACT = Depends(require_roles(Role.station_staff, Role.officer, Role.admin))
CAN_ESCALATE = Depends(require_roles(Role.officer, Role.admin))
ETAG = {
    "description": "The request",
    "headers": {"ETag": {"description": 'Its version, e.g. "3": send it in If-Match with the next step'}},
}

router = APIRouter(tags=["requests"])

Note = Annotated[str, Field(default="", max_length=2000)]
Said = Annotated[str, Field(min_length=1, max_length=2000)]


class RequestFound(BaseModel):
    category: RequestCategory = Field(
        description="医疗 medical, 住房 housing, 就业 employment, 子女教育 education, 生活困难 living_difficulty, "
        "政策咨询 policy_question, 信访 petition, 其他 other"
    )
    grade: RequestGrade = Field(description="一般 ordinary, 紧急 urgent, 重大 major: with the category, the deadline")
    summary: str = Field(min_length=1, max_length=2000, description="What the person needs (诉求内容)")
    department: str | None = Field(default=None, max_length=100, description="Responsible department; yours if unset")
    assignee: str | None = Field(default=None, max_length=100, description="Responsible staff member; you if unset")


class RequestIn(RequestFound):
    person_id: UUID
    found_in: str | None = Field(
        default=None, max_length=100, description="The id of the contact it was found in, or an occasion (八一走访)"
    )


class ContactWithRequestIn(BaseModel):
    contact: ContactIn = Field(description="As for POST /contacts; it is recorded as needing follow-up")
    request: RequestFound


class ContactAndRequest(BaseModel):
    contact_id: UUID
    request_id: UUID


class AcceptIn(BaseModel):
    department: str | None = Field(default=None, max_length=100)
    assignee: str | None = Field(default=None, max_length=100, description="The responsible staff member (sub)")
    note: Note


class AssignIn(BaseModel):
    department: str | None = Field(default=None, max_length=100, description="The same department if unset")
    assignee: str = Field(min_length=1, max_length=100, description="The responsible staff member (sub)")
    note: Note


class NoteIn(BaseModel):
    note: Note


class ProgressIn(BaseModel):
    note: Said
    contact_id: UUID | None = Field(default=None, description="The visit or call, recorded as a contact")


class ResolveIn(BaseModel):
    what_was_done: Said = Field(description="What was done (化解情况)")


class FollowUpIn(BaseModel):
    satisfaction: Satisfaction = Field(description="满意 satisfied, 基本满意 basically_satisfied, 不满意 dissatisfied")
    contact_id: UUID | None = Field(default=None, description="The follow-up visit (回访), recorded as a contact")
    note: Note


class CloseIn(BaseModel):
    reason: Said = Field(description="Why it is closed without the follow-up visit (the person died)")


class EscalateIn(BaseModel):
    reason: Said = Field(description="Why the level above must supervise it (督办事由)")


class Step(BaseModel):
    model_config = ConfigDict(extra="allow")  # what the step adds: satisfaction, supervised_by, contact_id ...

    step: str
    on: dt.date = Field(description="The day it was taken (China)")
    at: dt.datetime = Field(description="When it was recorded (UTC)")
    by: str
    note: str


class RequestOut(BaseModel):
    id: UUID
    version: int
    person_id: UUID
    region: str
    category: RequestCategory
    grade: RequestGrade
    status: RequestStatus
    summary: str
    found_in_contact: UUID | None
    occasion: str | None
    department: str
    assignee: str | None
    responsible_region: str
    supervised_by: str | None = Field(description="The level supervising it (督办), once escalated")
    escalation_level: int
    registered_on: dt.date
    deadline: dt.date
    rules_version: int = Field(description="The version of the deadline table it was computed with")
    overdue: bool
    resolved_on: dt.date | None
    closed_on: dt.date | None
    satisfaction: Satisfaction | None
    person_deceased: bool
    visits: list[UUID] = Field(description="The contacts recorded about it, the first where it was found")
    history: list[Step]


class RequestRow(BaseModel):
    id: UUID
    person_id: UUID
    region: str
    category: RequestCategory
    grade: RequestGrade
    status: RequestStatus
    deadline: dt.date
    overdue: bool
    registered_on: dt.date
    department: str
    assignee: str | None
    supervised_by: str | None
    escalation_level: int
    person_deceased: bool
    visits: int
    satisfaction: Satisfaction | None


class RequestPage(BaseModel):
    items: list[RequestRow]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


class Created(BaseModel):
    id: UUID


class DeadlineTableIn(BaseModel):
    days: dict[str, dict[str, int]] = Field(
        description='Days to resolve, by category and grade: {"medical": '
        '{"ordinary": 15, "urgent": 3, "major": 7}, ...}; every pair is needed'
    )
    supervision_days: dict[str, int] = Field(description="Days the level above gives an escalated one, by grade")
    reason: Said


class DeadlineTableOut(BaseModel):
    version: int = Field(description="0: the defaults, never changed")
    days: dict[str, dict[str, int]]
    supervision_days: dict[str, int]


async def run(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Event-store work is blocking: keep it off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


def acting(principal: Principal, expected_version: int | None = None) -> Acting:
    return Acting(principal, actor_of(principal), expected_version)


def request_out(request: Request, today: dt.date, response: Response) -> RequestOut:
    response.headers["ETag"] = f'"{request.version}"'
    return RequestOut.model_validate(
        {
            **{name: getattr(request, name) for name in RequestOut.model_fields if hasattr(request, name)},
            "overdue": request.overdue_on(today),
            "history": request.history,
        }
    )


# Registering and reading -----------------------------------------------------------------------------------------


@router.post(
    "/requests",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses=problem(409, "The person's registration has not reached outreach yet, or they are recorded as deceased"),
    dependencies=[CAN_ACT],
)
async def register_request(body: RequestIn, principal: CurrentPrincipal, outreach: Outreach) -> Created:
    """Register a request (登记). Its deadline comes from the deadline table by category and grade; you and your
    unit are responsible unless you name others."""
    request_id = await run(
        outreach.register_request,
        **body.model_dump(exclude={"person_id"}),
        person_id=body.person_id,
        principal=principal,
        actor=actor_of(principal),
    )
    return Created(id=request_id)


@router.post(
    "/requests/with-contact",
    status_code=status.HTTP_201_CREATED,
    response_model=ContactAndRequest,
    responses=problem(409, "The person's registration has not reached outreach yet, or they are recorded as deceased"),
    dependencies=[CAN_ACT],
)
async def record_contact_with_request(
    body: ContactWithRequestIn, principal: CurrentPrincipal, outreach: Outreach
) -> ContactAndRequest:
    """Follow-up needed opens a request in one step: the contact and the request found in it are recorded
    together, or neither is."""
    contact = body.contact
    contact_id, request_id = await run(
        outreach.record_contact_with_request,
        person_id=contact.person_id,
        contact={
            "method": contact.method.value,
            "contacted_on": contact.date,
            "staff": contact.staff or principal.sub,
            "findings": contact.findings.strip(),
            "occasion": contact.occasion,
            "campaign_id": str(contact.campaign_id) if contact.campaign_id else None,
        },
        request=body.request.model_dump(),
        principal=principal,
        actor=actor_of(principal),
    )
    return ContactAndRequest(contact_id=contact_id, request_id=request_id)


@router.get("/requests", response_model=RequestPage, responses=problems(403))
async def list_requests(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    region: Annotated[str | None, Query(description="A part of your jurisdiction; all of it by default")] = None,
    status: Annotated[
        Literal["open", "registered", "accepted", "in_progress", "resolved", "closed"],
        Query(description="open (the default): registered, accepted or in progress"),
    ] = "open",
    overdue: Annotated[bool | None, Query(description="true: past the deadline and not resolved")] = None,
    category: RequestCategory | None = None,
    assignee: Annotated[str | None, Query(max_length=100, description="The responsible staff member (sub)")] = None,
    escalated: Annotated[bool, Query(description="true: only those this region's levels supervise (督办)")] = False,
    closed_in: Annotated[
        str | None,
        Query(max_length=7, description="For status=closed: the month closed, e.g. 2020-05; this month if unset"),
    ] = None,
    after: Annotated[str | None, Query(max_length=100, description="`next` of the page before")] = None,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
) -> RequestPage:
    """Requests in your jurisdiction, soonest deadline first, a page at a time."""
    search = RequestSearch(
        region=region,
        status=status,
        overdue=overdue,
        category=category.value if category else None,
        assignee=assignee,
        escalated=escalated,
        closed_in=closed_in,
        after=after,
        page_size=page_size,
    )
    docs, cursor = await find_requests(db, principal, search, clock.today())
    return RequestPage(items=[RequestRow.model_validate(doc) for doc in docs], next=cursor)


@router.get("/requests/{request_id}", response_model=RequestOut, responses={200: ETAG})
async def get_request(
    request_id: UUID, response: Response, principal: CurrentPrincipal, outreach: Outreach, clock: AppClock
) -> RequestOut:
    """The request with every step: who took it, when and why."""
    request = await run(outreach.visible_request, request_id, principal)
    return request_out(request, clock.today(), response)


@router.get("/persons/{person_id}/requests", response_model=list[RequestRow])
async def person_requests(
    person_id: UUID, principal: CurrentPrincipal, outreach: Outreach, db: ReadModels, clock: AppClock
) -> list[RequestRow]:
    """A person's requests (404 for a person outside your jurisdiction, as for an unknown one)."""
    replica: PersonReplica | None = await run(outreach.get_or_none, PersonReplica.create_id(str(person_id)))
    ensure_visible(principal, replica.region if replica else None, "人")
    return [
        RequestRow.model_validate(doc) for doc in await requests_of_person(db, principal, str(person_id), clock.today())
    ]


# The closed loop -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepContext:
    """What every step's route needs besides its body: who acts, on which version (If-Match), and the answer."""

    principal: Principal
    outreach: OutreachApplication
    clock: Clock
    expected_version: int | None
    response: Response

    async def step(self, command: Callable[..., Request], request_id: UUID, body: BaseModel) -> RequestOut:
        by = acting(self.principal, self.expected_version)
        request = await run(command, request_id, by, **body.model_dump())
        return request_out(request, self.clock.today(), self.response)


async def step_context(
    response: Response, principal: CurrentPrincipal, outreach: Outreach, clock: AppClock, expected_version: IfMatch
) -> StepContext:
    return StepContext(principal, outreach, clock, expected_version, response)


Taking = Annotated[StepContext, Depends(step_context)]
STEP_RESPONSES = {200: ETAG, **problem(409, "The request is not at the step before this one: the answer says why")}


@router.post(
    "/requests/{request_id}/accept", response_model=RequestOut, responses=STEP_RESPONSES, dependencies=[CAN_ACT]
)
async def accept_request(request_id: UUID, body: AcceptIn, taking: Taking) -> RequestOut:
    """Accept it (受理), naming the responsible department and staff member if they change."""
    return await taking.step(taking.outreach.accept_request, request_id, body)


@router.post(
    "/requests/{request_id}/assign", response_model=RequestOut, responses=STEP_RESPONSES, dependencies=[CAN_ACT]
)
async def assign_request(request_id: UUID, body: AssignIn, taking: Taking) -> RequestOut:
    """Make another staff member (and department) responsible while it is open (e.g. after a transfer)."""
    return await taking.step(taking.outreach.assign_request, request_id, body)


@router.post(
    "/requests/{request_id}/start", response_model=RequestOut, responses=STEP_RESPONSES, dependencies=[CAN_ACT]
)
async def start_request(request_id: UUID, body: NoteIn, taking: Taking) -> RequestOut:
    """Start dealing with it (办理中)."""
    return await taking.step(taking.outreach.start_request, request_id, body)


@router.post(
    "/requests/{request_id}/progress", response_model=RequestOut, responses=STEP_RESPONSES, dependencies=[CAN_ACT]
)
async def note_progress(request_id: UUID, body: ProgressIn, taking: Taking) -> RequestOut:
    """Note progress: a visit or call about it, linked to the contact recorded for it."""
    return await taking.step(taking.outreach.note_request_progress, request_id, body)


@router.post(
    "/requests/{request_id}/resolve", response_model=RequestOut, responses=STEP_RESPONSES, dependencies=[CAN_ACT]
)
async def resolve_request(request_id: UUID, body: ResolveIn, taking: Taking) -> RequestOut:
    """Resolved (化解), saying what was done; the follow-up visit is next."""
    return await taking.step(taking.outreach.resolve_request, request_id, body)


@router.post(
    "/requests/{request_id}/follow-up", response_model=RequestOut, responses=STEP_RESPONSES, dependencies=[CAN_ACT]
)
async def follow_up_request(request_id: UUID, body: FollowUpIn, taking: Taking) -> RequestOut:
    """The follow-up visit (回访) with the person's satisfaction: satisfied closes it, dissatisfied reopens it."""
    return await taking.step(taking.outreach.follow_up_request, request_id, body)


@router.post(
    "/requests/{request_id}/close", response_model=RequestOut, responses=STEP_RESPONSES, dependencies=[CAN_ACT]
)
async def close_request(request_id: UUID, body: CloseIn, taking: Taking) -> RequestOut:
    """Close a deceased person's request without the follow-up visit, saying why (409 for anyone else's)."""
    return await taking.step(taking.outreach.close_request_of_deceased, request_id, body)


@router.post(
    "/requests/{request_id}/escalate",
    response_model=RequestOut,
    responses={**STEP_RESPONSES, **problem(409, "Closed or resolved, or the province supervises it already")},
    dependencies=[CAN_ESCALATE],
)
async def escalate_request(request_id: UUID, body: EscalateIn, taking: Taking) -> RequestOut:
    """Escalate it to the level above (督办) by hand; overdue requests are escalated by the daily run."""
    return await taking.step(taking.outreach.escalate_request, request_id, body)


# The deadline table ----------------------------------------------------------------------------------------------


def table_out(table: DeadlineTable, response: Response) -> DeadlineTableOut:
    response.headers["ETag"] = f'"{table.version}"'
    return DeadlineTableOut(version=table.version, days=table.days, supervision_days=table.supervision_days)


@router.get("/request-deadlines", response_model=DeadlineTableOut)
async def get_deadline_table(response: Response, principal: CurrentPrincipal, outreach: Outreach) -> DeadlineTableOut:
    """The deadline table in force (办理时限)."""
    return table_out(await run(outreach.deadline_table), response)


@router.put("/request-deadlines", response_model=DeadlineTableOut, responses=problems(403, 409))
async def set_deadline_table(
    body: DeadlineTableIn, response: Response, principal: CurrentPrincipal, outreach: Outreach,
    expected_version: IfMatch,
) -> DeadlineTableOut:  # fmt: skip
    """A provincial officer sets a new table for requests registered from now on (existing ones keep theirs)."""
    table = await run(
        outreach.set_deadline_table,
        **body.model_dump(),
        principal=principal,
        actor=actor_of(principal),
        expected_version=expected_version,
    )
    return table_out(table, response)
