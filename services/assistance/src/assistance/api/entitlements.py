"""Regular entitlements (定期抚恤补助): enrolments, the monthly payroll (月度发放表) and its bank file."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assistance import queries
from assistance.api.deps import APPROVING, MANAGING, MAX_PAGE_SIZE, Assistance, Created, Page, page_out, run
from assistance.domain import Enrolment, Payroll
from assistance.identities import Identities, Identity, RegistryIdentities
from vet_common.api import AppClock, AppSettings, ReadModels
from vet_common.auth import CurrentPrincipal
from vet_common.domain import Conflict
from vet_common.money import Fen
from vet_common.openapi import problems
from vet_common.spreadsheets import Column, Sheet, csv_bytes, xlsx_streamed

router = APIRouter(tags=["regular entitlements"])
MONTH = re.compile(r"(20\d\d)-(0[1-9]|1[0-2])")
MONTH_MESSAGE = "月份格式应为 YYYY-MM，如 2026-09 (month must be YYYY-MM, e.g. 2026-09)"


def _month(value: str) -> str:
    if not MONTH.fullmatch(value):
        raise ValueError(MONTH_MESSAGE)
    return value


Month = Annotated[str, AfterValidator(_month), Field(description="YYYY-MM", examples=["2026-09"])]


class EnrolmentIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"fund_id": "00000000-0000-0000-0000-000000000000", "person_id": "p", "start_month": "2026-09"}
            ]
        }
    )

    fund_id: UUID
    person_id: UUID
    monthly_fen: Fen | None = Field(default=None, description="Monthly amount; the fund's rule when left out")
    yearly_fen: Fen | None = Field(
        default=None, description="Yearly amount, in a fund paying yearly; the fund's rule when left out"
    )
    start_month: Month = Field(description="First month of the enrolment, YYYY-MM")


class EnrolmentOut(BaseModel):
    id: UUID
    version: int
    fund_id: str
    person_id: str
    region: str
    monthly_fen: int = Field(description="Paid each month (0 for an enrolment paid yearly)")
    yearly_fen: int | None = Field(description="Paid once a year, in pay_month (none: paid monthly)")
    pay_month: int | None = Field(description="The month of the year a yearly amount is paid in (1–12)")
    start_month: str
    status: str = Field(description="proposed (from the registry's alert), active or ended")
    last_month: str | None
    end_reason: str | None


def enrolment_out(enrolment: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(
        id=enrolment.id,
        version=enrolment.version,
        fund_id=enrolment.fund_id,
        person_id=enrolment.person_id,
        region=enrolment.region,
        monthly_fen=enrolment.monthly_fen,
        yearly_fen=enrolment.yearly_fen,
        pay_month=enrolment.pay_month,
        start_month=enrolment.start_month,
        status=enrolment.status,
        last_month=enrolment.last_month,
        end_reason=enrolment.end_reason,
    )


@router.post(
    "/enrolments",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses=problems(404, 409),
    dependencies=[MANAGING],
)
async def enrol(body: EnrolmentIn, principal: CurrentPrincipal, assistance: Assistance) -> Created:
    """Enrol a person in a regular-entitlement fund from a start month, with a monthly amount (or a yearly one,
    in a fund paying yearly: paid in the fund's pay month of each year)."""
    enrolment_id = await run(
        assistance.enrol,
        fund_id=body.fund_id,
        person_id=str(body.person_id),
        monthly_fen=body.monthly_fen,
        start_month=body.start_month,
        principal=principal,
        yearly_fen=body.yearly_fen,
    )
    return Created(id=enrolment_id)


@router.get("/enrolments", response_model=Page, responses=problems(403))
async def find_enrolments(
    principal: CurrentPrincipal,
    db: ReadModels,
    fund_id: UUID | None = None,
    status_: Annotated[Literal["proposed", "active", "ended"] | None, Query(alias="status")] = None,
    after: Annotated[str | None, Query(max_length=400)] = None,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Page:
    """Enrolments of your jurisdiction; status=proposed lists those the registry's alerts proposed."""
    fund = str(fund_id) if fund_id else None
    return page_out(await queries.find_enrolments(db, principal, fund, status_, after, page_size))


@router.get("/enrolments/{enrolment_id}", response_model=EnrolmentOut)
async def get_enrolment(enrolment_id: UUID, principal: CurrentPrincipal, assistance: Assistance) -> EnrolmentOut:
    return enrolment_out(await run(assistance.enrolment, enrolment_id, principal))


class ConfirmIn(BaseModel):
    monthly_fen: Fen | None = None
    yearly_fen: Fen | None = Field(default=None, description="In a fund paying yearly")
    start_month: Month | None = None


@router.post(
    "/enrolments/{enrolment_id}/confirm",
    response_model=EnrolmentOut,
    responses=problems(409),
    dependencies=[MANAGING],
)
async def confirm_enrolment(
    enrolment_id: UUID, body: ConfirmIn, principal: CurrentPrincipal, assistance: Assistance
) -> EnrolmentOut:
    """Confirm a proposed enrolment (amount and start month may be corrected): it is paid from then on."""
    enrolment = await run(
        assistance.confirm_enrolment, enrolment_id, body.monthly_fen, body.start_month, principal, body.yearly_fen
    )
    return enrolment_out(enrolment)


# Payrolls ------------------------------------------------------------------------------------------------------


class PayrollIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"fund_id": "00000000-0000-0000-0000-000000000000", "month": "2026-09"}]}
    )

    fund_id: UUID
    month: Month


class PayrollOut(BaseModel):
    id: UUID
    fund_id: str
    region: str
    month: str
    status: str = Field(description="computed, approved, released")
    lines: int
    voided: int = Field(description="Lines taken out after computing (the person died or moved away)")
    total_fen: int


def payroll_out(payroll: Payroll) -> PayrollOut:
    return PayrollOut(
        id=payroll.id,
        fund_id=payroll.fund_id,
        region=payroll.region,
        month=payroll.month,
        status=payroll.status,
        lines=len(payroll.payable),
        voided=len(payroll.voided),
        total_fen=payroll.total_fen,
    )


@router.post(
    "/payrolls",
    status_code=status.HTTP_201_CREATED,
    response_model=PayrollOut,
    responses={
        200: {"model": PayrollOut, "description": "This month's payroll exists: the first one"},
        **problems(404, 409),
    },
    dependencies=[MANAGING],
)
async def compute_payroll(
    body: PayrollIn, response: Response, principal: CurrentPrincipal, assistance: Assistance
) -> PayrollOut:
    """Compute a month's payroll: one line per active enrolment, each paid once (a second run answers the
    first payroll, 200 instead of 201)."""
    payroll, new = await run(assistance.compute_payroll, body.fund_id, body.month, principal)
    response.status_code = status.HTTP_201_CREATED if new else status.HTTP_200_OK
    return payroll_out(payroll)


class MonthOfFund(BaseModel):
    fund_id: str
    fund_name: str
    region: str
    payroll_id: str | None
    status: str = Field(description="not_computed, computed, approved or released")
    lines: int
    total_fen: int
    on_time: bool = Field(description="Released (放款) for the month; false is work still to do")


class MonthOut(BaseModel):
    month: str
    funds: list[MonthOfFund]
    late: int = Field(description="Funds whose payroll of the month is not released yet")


@router.get("/payrolls", response_model=MonthOut)
async def payrolls_of_month(
    principal: CurrentPrincipal,
    db: ReadModels,
    clock: AppClock,
    month: Annotated[Month | None, Query(description="YYYY-MM; this month when left out")] = None,
) -> MonthOut:
    """A month's payrolls of every regular-entitlement fund of your jurisdiction (按时兑现): which are not
    computed, approved or released yet."""
    month = month or f"{clock.today():%Y-%m}"
    rows = []
    for fund, payroll in await queries.payrolls_of_month(db, principal, month):
        status_ = payroll["status"] if payroll else "not_computed"
        rows.append(
            MonthOfFund(
                fund_id=fund["_id"],
                fund_name=fund["name"],
                region=fund["region"],
                payroll_id=payroll["_id"] if payroll else None,
                status=status_,
                lines=payroll["lines"] if payroll else 0,
                total_fen=payroll["total_fen"] if payroll else 0,
                on_time=status_ == "released",
            )
        )
    return MonthOut(month=month, funds=rows, late=sum(not row.on_time for row in rows))


@router.get("/payrolls/{payroll_id}", response_model=PayrollOut)
async def get_payroll(payroll_id: UUID, principal: CurrentPrincipal, assistance: Assistance) -> PayrollOut:
    return payroll_out(await run(assistance.payroll, payroll_id, principal))


@router.post(
    "/payrolls/{payroll_id}/approve", response_model=PayrollOut, responses=problems(409), dependencies=[APPROVING]
)
async def approve_payroll(payroll_id: UUID, principal: CurrentPrincipal, assistance: Assistance) -> PayrollOut:
    """Approve a computed payroll; only an approved one is released."""
    return payroll_out(await run(assistance.approve_payroll, payroll_id, principal))


@router.post(
    "/payrolls/{payroll_id}/release", response_model=PayrollOut, responses=problems(409), dependencies=[MANAGING]
)
async def release_payroll(payroll_id: UUID, principal: CurrentPrincipal, assistance: Assistance) -> PayrollOut:
    """Release an approved payroll to the bank."""
    return payroll_out(await run(assistance.release_payroll, payroll_id, principal))


BANK_COLUMNS = [
    Column("序号", "number", 8),
    Column("姓名", "name", 12),
    Column("身份证号码", "id_number", 22, text=True),
    Column("开户银行", "bank", 26),
    Column("账号", "account_number", 32, text=True),
    Column("人员编号", "person_id", 38, text=True),
    Column("行政区划", "region", 14, text=True),
    Column("发放月份", "month", 10, text=True),
    Column("金额（元）", "amount", 12, text=True),
]


def yuan(fen: int) -> str:
    """What a bank file holds: yuan with two decimals, no thousands separator."""
    return f"{fen // 100}.{fen % 100:02d}"


def bank_rows(payroll: Payroll, identities: dict[str, Identity]) -> list[dict[str, Any]]:
    """One row per payable line, with the payee's name, ID number and payment account as the registry answered."""
    return [
        {
            "number": n,
            "name": identities[line[1]].name,
            "id_number": identities[line[1]].id_number,
            "bank": identities[line[1]].bank,
            "account_number": identities[line[1]].account_number,
            "person_id": line[1],
            "region": line[2],
            "month": payroll.month,
            "amount": yuan(int(line[3])),
        }
        for n, line in enumerate(payroll.payable, start=1)
    ]


def registry_identities(request: Request, settings: AppSettings) -> Identities:
    """The registry's answer to "who are these payees" (a test puts its own on app.state.identities)."""
    found: Identities | None = getattr(request.app.state, "identities", None)
    return found or RegistryIdentities(settings.registry_url)


async def payees(payroll: Payroll, identities: Identities, authorization: str) -> dict[str, Identity]:
    """The payees' names, ID numbers and accounts, asked of the registry for this file only (its access log records
    the purpose); every payee must be known and have an account, or the bank would get a file it cannot pay from."""
    people = list(dict.fromkeys(line[1] for line in payroll.payable))
    purpose = f"{payroll.month} 月度发放表银行代发文件（发放表 {payroll.id}） (the payroll's bank file)"
    found = await identities.of(people, purpose, authorization)
    if missing := [person for person in people if person not in found]:
        raise Conflict(
            f"{len(missing)} 名人员未能从登记服务取得身份证号码，请核对后再下载 "
            "(the registry does not know some payees, or not within your jurisdiction)",
            missing=missing[:20],
        )
    if no_account := [person for person in people if not found[person].account_number]:
        raise Conflict(
            f"{len(no_account)} 名人员尚未在登记服务登记发放账户（开户银行和账号），请登记后再下载 "
            "(some payees have no payment account in the registry: record it on their record first)",
            missing=no_account[:20],
        )
    return found


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
A_FILE = {"type": "string", "format": "binary"}


@router.get(
    "/payrolls/{payroll_id}/bank-file",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX: {"schema": A_FILE}, "text/csv": {"schema": {"type": "string"}}},
            "description": "The bank file (.xlsx, or .csv with format=csv)",
        },
        **problems(403, 409, 503),
    },
    dependencies=[MANAGING],
)
async def bank_file(
    payroll_id: UUID,
    request: Request,
    principal: CurrentPrincipal,
    assistance: Assistance,
    identities: Annotated[Identities, Depends(registry_identities)],
    format_: Annotated[Literal["xlsx", "csv"], Query(alias="format")] = "xlsx",
) -> Response:
    """A released payroll's bank file (银行代发文件): Chinese headers, each payee's name and ID number (asked of
    the registry with your token for this file, and recorded in its access log), amounts in yuan with two
    decimals; XLSX or CSV. 409 before release; 503 when the registry does not answer."""
    payroll = await run(assistance.payroll, payroll_id, principal)
    if payroll.status != "released":
        raise Conflict(
            f"发放表须审批并发放后才能下载银行代发文件（当前 {payroll.status}） "
            "(the bank file is for a released payroll)"
        )
    rows = bank_rows(payroll, await payees(payroll, identities, request.headers["authorization"]))
    name = f"payroll-{payroll.month}"
    if format_ == "csv":
        body, media = csv_bytes(BANK_COLUMNS, rows, masked=False), "text/csv; charset=utf-8"
    else:
        notes = [f"合计 {len(rows)} 人，{yuan(payroll.total_fen)} 元", f"发放表 {payroll.id}（{payroll.status}）"]
        sheet = Sheet(f"{payroll.month}发放表", BANK_COLUMNS, rows, masked=False, notes=notes)
        body = await run(xlsx_streamed, sheet)
        media = XLSX
    headers = {"Content-Disposition": f'attachment; filename="{name}.{format_}"'}
    return Response(body, media_type=media, headers=headers)
