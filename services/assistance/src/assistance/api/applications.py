"""Applications (申请) through 受理 → 审批 → 告知 → 拨付 → 回访, and a person's benefit ledger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from assistance import ledger, queries
from assistance.api.deps import (
    APPROVING,
    FILING,
    MANAGING,
    MAX_PAGE_SIZE,
    Assistance,
    Changing,
    Created,
    Page,
    Reason,
    etag,
    page_out,
    run,
)
from assistance.domain import STATUS_NAMES, Application
from assistance.rules import Facts
from vet_common.api import AppClock, ReadModels
from vet_common.auth import CurrentPrincipal
from vet_common.domain import Invalid
from vet_common.money import format_yuan
from vet_common.openapi import problems

router = APIRouter(tags=["applications"])
STEP_REFUSALS = problems(403, 409)


class ApplicationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "fund_id": "00000000-0000-0000-0000-000000000000",
                    "person_id": "00000000-0000-0000-0000-000000000001",
                    "on_behalf_of": True,
                    "facts": {},
                    "documents": ["申请表", "困难情况说明"],
                }
            ]
        }
    )

    fund_id: UUID
    person_id: UUID = Field(description="The registry's id of the person")
    on_behalf_of: bool = Field(default=False, description="Filed by the station for the person (代办)")
    facts: Facts = Field(default_factory=Facts, description="What the amount rule needs, in fen")
    documents: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default=[], max_length=30)


class ApplicationOut(BaseModel):
    id: UUID
    version: int
    fund_id: str
    fund_kind: str
    person_id: str
    region: str
    status: str
    status_name: str
    waiting_for: str | None = Field(description="accept, approve:<level>, notify, disburse, evaluate, resubmit ...")
    on_behalf_of: bool
    facts: dict[str, int]
    documents: list[str]
    levels: list[str] = Field(description="The levels that approve this amount, in order")
    approved_levels: list[str]
    amount_fen: int | None
    amount_yuan: str | None
    decision: dict[str, Any] | None = Field(description="Decision snapshot: rule version, inputs, computed amount")
    steps: list[dict[str, Any]] = Field(description="Who did what, when and why")
    payment: dict[str, Any] | None


def application_out(application: Application) -> ApplicationOut:
    amount = application.amount_fen
    return ApplicationOut(
        id=application.id,
        version=application.version,
        fund_id=application.fund_id,
        fund_kind=application.fund_kind,
        person_id=application.person_id,
        region=application.region,
        status=application.status,
        status_name=STATUS_NAMES.get(application.status, application.status),
        waiting_for=application.waiting_for,
        on_behalf_of=application.on_behalf_of,
        facts=application.facts,
        documents=application.documents,
        levels=application.levels,
        approved_levels=application.approved_levels,
        amount_fen=amount,
        amount_yuan=None if amount is None else format_yuan(amount),
        decision=application.snapshot,
        steps=application.steps,
        payment=application.payment,
    )


def step(name: str, who: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A route of one step of the loop: POST /applications/{id}/<name>, answering the application after it."""
    return router.post(
        f"/applications/{{application_id}}/{name}",
        response_model=ApplicationOut,
        responses=STEP_REFUSALS,
        dependencies=[who],
    )


def answered(application: Application, response: Response) -> ApplicationOut:
    response.headers.update(etag(application.version))
    return application_out(application)


@router.post(
    "/applications",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses=problems(404, 409),
    dependencies=[FILING],
)
async def submit_application(body: ApplicationIn, principal: CurrentPrincipal, assistance: Assistance) -> Created:
    """File an application, often on the person's behalf. 409 if the person does not meet the fund's rules
    (the reasons are listed) or the registry's record has not reached assistance yet."""
    application_id = await run(
        assistance.submit,
        fund_id=body.fund_id,
        person_id=str(body.person_id),
        on_behalf_of=body.on_behalf_of,
        facts=body.facts,
        documents=body.documents,
        principal=principal,
    )
    return Created(id=application_id)


@router.get("/applications", response_model=Page, responses=problems(403))
async def find_applications(
    principal: CurrentPrincipal,
    db: ReadModels,
    fund_id: UUID | None = None,
    person_id: UUID | None = None,
    status_: Annotated[str | None, Query(alias="status", max_length=30)] = None,
    waiting_for: Annotated[str | None, Query(max_length=30, description="e.g. accept, approve:county")] = None,
    region: Annotated[str | None, Query(description="Region prefix within your jurisdiction")] = None,
    after: Annotated[str | None, Query(max_length=400, description="`next` of the page before")] = None,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Page:
    """Applications by fund, person, status or the step they wait for, oldest first, a page at a time."""
    search = queries.ApplicationSearch(
        fund_id=str(fund_id) if fund_id else None,
        person_id=str(person_id) if person_id else None,
        status=status_,
        waiting_for=waiting_for,
        region=region,
        after=after,
        page_size=page_size,
    )
    return page_out(await queries.find_applications(db, principal, search))


@router.get("/applications/{application_id}", response_model=ApplicationOut)
async def get_application(
    application_id: UUID, response: Response, principal: CurrentPrincipal, assistance: Assistance
) -> ApplicationOut:
    """The application with every step (who, when, why) and its decision snapshot."""
    return answered(await run(assistance.application, application_id, principal), response)


@step("accept", FILING)
async def accept(application_id: UUID, change: Changing) -> ApplicationOut:
    """受理 at the fund's accepting level: sets the amount and the levels that approve it."""
    return application_out(await change(change.assistance.accept, application_id))


class ReturnIn(Reason):
    missing: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=30, description="What is missing, each item as the station should bring it"
    )


@step("return", FILING)
async def return_application(application_id: UUID, body: ReturnIn, change: Changing) -> ApplicationOut:
    """Return it to the station with what is missing."""
    return application_out(
        await change(change.assistance.return_application, application_id, body.missing, body.reason)
    )


class ResubmitIn(BaseModel):
    facts: Facts = Field(default_factory=Facts)
    documents: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default=[], max_length=30)


@step("resubmit", FILING)
async def resubmit(application_id: UUID, body: ResubmitIn, change: Changing) -> ApplicationOut:
    """Send a returned application again with what was missing."""
    return application_out(await change(change.assistance.resubmit, application_id, body.facts, body.documents))


@step("approve", APPROVING)
async def approve(application_id: UUID, body: Reason, change: Changing) -> ApplicationOut:
    """审批 at the level the application waits for; the first approval reserves the amount in the fund
    (409 over budget or over the person's yearly ceiling)."""
    return application_out(await change(change.assistance.approve, application_id, body.reason))


@step("deny", APPROVING)
async def deny(application_id: UUID, body: Reason, change: Changing) -> ApplicationOut:
    """Deny at the level the application waits for, with the reason the person will be told."""
    return application_out(await change(change.assistance.deny, application_id, body.reason))


class NotifyIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"method": "visit", "notified_on": "2026-08-03"}]})

    method: Literal["visit", "phone", "letter", "sms", "in_person"] = Field(description="How the person was told")
    notified_on: date


@step("notify", FILING)
async def notify(application_id: UUID, body: NotifyIn, change: Changing, clock: AppClock) -> ApplicationOut:
    """告知: how and when the person was told of the decision."""
    if body.notified_on > clock.today():
        raise Invalid("notified_on", "告知日期不能晚于今天 (the notification date cannot be in the future)")
    return application_out(await change(change.assistance.notify_person, application_id, body.method, body.notified_on))


class DisburseIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"payment_reference": "BANK-20260805-0001", "paid_on": "2026-08-05"}]}
    )

    payment_reference: str = Field(min_length=1, max_length=100, description="The bank's or treasury's reference")
    paid_on: date


@step("disburse", MANAGING)
async def disburse(
    application_id: UUID,
    body: DisburseIn,
    response: Response,
    principal: CurrentPrincipal,
    assistance: Assistance,
    clock: AppClock,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> ApplicationOut:
    """拨付, once: needs an Idempotency-Key; the same key again answers the first payment, another key is 409."""
    if not (idempotency_key or "").strip():
        raise Invalid("Idempotency-Key", "拨付须带 Idempotency-Key 请求头 (a payment needs an Idempotency-Key header)")
    if body.paid_on > clock.today():
        raise Invalid("paid_on", "拨付日期不能晚于今天 (the payment date cannot be in the future)")
    application = await run(
        assistance.disburse,
        application_id,
        body.payment_reference,
        (idempotency_key or "").strip(),
        body.paid_on,
        principal,
    )
    return answered(application, response)


class AssignIn(BaseModel):
    fund_id: UUID = Field(description="A fund of the receiving side that covers the person's new region")


@step("assign", MANAGING)
async def assign_fund(application_id: UUID, body: AssignIn, change: Changing) -> ApplicationOut:
    """After a transfer with no fund of the same kind there: the receiving county assigns one of its funds
    (`GET /applications?waiting_for=transfer` lists them); acceptance starts again there."""
    return application_out(await change(change.assistance.assign_fund, application_id, body.fund_id))


class EvaluateIn(BaseModel):
    finding: str = Field(min_length=1, max_length=1000, description="The follow-up visit's finding (回访情况)")


@step("evaluate", FILING)
async def evaluate(application_id: UUID, body: EvaluateIn, change: Changing) -> ApplicationOut:
    """跟踪回访: the follow-up visit's finding, after payment."""
    return application_out(await change(change.assistance.evaluate, application_id, body.finding))


class LedgerEntry(BaseModel):
    kind: Literal["application", "enrolment"]
    id: str
    fund_id: str
    year: int
    status: str
    approved_fen: int = Field(description="Decided amount (application) or the year's entitlement (enrolment)")
    paid_fen: int
    monthly_fen: int | None = None
    yearly_fen: int | None = Field(default=None, description="The yearly amount of an enrolment paid yearly")
    months_paid: list[str] = Field(default=[], description="Months released payrolls paid (enrolment)")


class Ledger(BaseModel):
    person_id: str
    entries: list[LedgerEntry]
    by_fund_and_year: list[dict[str, Any]]


@router.get("/persons/{person_id}/ledger", response_model=Ledger)
async def person_ledger(person_id: UUID, principal: CurrentPrincipal, db: ReadModels, clock: AppClock) -> Ledger:
    """A person's benefit ledger (受助台账): every amount approved and paid to them, by fund and year: each
    application, and each enrolment's yearly entitlement and the months payrolls paid it."""
    docs = await queries.ledger(db, principal, str(person_id))
    entries = [ledger.application_entry(doc) for doc in docs.applications]
    for doc in docs.enrolments:
        entries += ledger.enrolment_entries(doc, docs.paid.get(doc["_id"], []), clock.today().year)
    return Ledger(
        person_id=str(person_id),
        entries=[LedgerEntry(**asdict(entry)) for entry in entries],
        by_fund_and_year=ledger.totals(entries),
    )
