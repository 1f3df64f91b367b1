"""A small in-process registry that really behaves like the real one for what the console asks of it: tokens,
jurisdiction (404 outside), roles (403), 422 with [{field, message}], If-Match; and services that are down."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient

from console.app import create_app
from console.settings import ConsoleSettings
from console.web import CSRF_COOKIE
from vet_common.auth import AuthError, Principal, Role, decode_token
from vet_common.idnumber import InvalidIdNumber, mask_id_number, parse_id_number
from vet_common.settings import SERVICES, Settings

EDITORS = {Role.station_staff, Role.officer, Role.admin}
NOT_COVERED = "该资金不覆盖申请人现居地区 (the fund does not cover where the person lives now)"


def masked_account(account: dict[str, str] | None) -> dict[str, str] | None:
    """As the registry answers it: the number masked to its last four digits."""
    return {**account, "account_number": "**** **** " + account["account_number"][-4:]} if account else None


def fake_registry(settings: Settings) -> FastAPI:
    app = FastAPI()
    people: dict[str, dict[str, Any]] = {}
    app.state.people = people

    def caller(authorization: str | None) -> Principal:
        try:
            return decode_token(settings, (authorization or "").removeprefix("Bearer "))
        except AuthError as error:
            raise HTTPException(401, str(error)) from None

    def visible(principal: Principal, person_id: str) -> dict[str, Any]:
        person = people.get(person_id)
        if person is None or not principal.can_see(person["region"]):
            raise HTTPException(404, "未找到该人员 (no such person in your jurisdiction)")
        return person

    @app.post("/persons", status_code=201)
    async def register(request: Request, authorization: str | None = Header(None)) -> Any:
        principal = caller(authorization)
        if principal.roles.isdisjoint(EDITORS):
            raise HTTPException(403, "您的账号没有此操作的权限 (requires one of the roles)")
        body = await request.json()
        errors = []
        try:
            parse_id_number(str(body.get("id_number", "")))
        except InvalidIdNumber as error:
            errors.append({"field": "id_number", "message": str(error)})
        if not body.get("name"):
            errors.append({"field": "name", "message": "请填写姓名 (name is required)"})
        if not body.get("categories"):
            errors.append({"field": "categories", "message": "必填项，请填写 (required)"})
        if errors:
            return JSONResponse({"detail": errors}, status_code=422)
        same = [p["id"] for p in people.values() if p["id_number"] == body["id_number"]]
        if same:
            return JSONResponse(
                {
                    "detail": "该身份证号码已有在册档案，请勿重复登记 (this ID number is already registered)",
                    "existing_id": same[0],
                },
                status_code=409,
            )
        person_id = str(uuid.uuid4())
        people[person_id] = {**body, "id": person_id, "version": 1, "status": "active"}
        return {"id": person_id}

    @app.get("/persons/{person_id}")
    async def get_person(
        person_id: str,
        reveal: str | None = None,
        authorization: str | None = Header(None),
        x_purpose: str | None = Header(None),
    ) -> Any:
        person = visible(caller(authorization), person_id)
        if reveal and not x_purpose:
            return JSONResponse({"detail": [{"field": "X-Purpose", "message": "请说明查看用途"}]}, status_code=422)
        shown = "id_number" in (reveal or "")
        return view(person, shown, account_shown="payment_account" in (reveal or ""))

    @app.post("/persons/{person_id}/contact")
    async def contact(
        person_id: str, request: Request, authorization: str | None = Header(None), if_match: str | None = Header(None)
    ) -> Any:
        person = visible(caller(authorization), person_id)
        if if_match and if_match.strip('"') != str(person["version"]):
            raise HTTPException(412, "档案已被他人修改 (the record moved on)")
        body = await request.json()
        phone = body.get("phone")
        if phone and not (phone.isdigit() and len(phone) == 11):
            return JSONResponse({"detail": [{"field": "phone", "message": "电话号码应为11位手机号 (phone)"}]}, 422)
        person.update(phone=phone, address=body.get("address"), version=person["version"] + 1)
        return view(person, False)

    @app.post("/persons/{person_id}/payment-account")
    async def payment_account(person_id: str, request: Request, authorization: str | None = Header(None)) -> Any:
        person = visible(caller(authorization), person_id)
        body = await request.json()
        number = "".join(str(body.get("account_number", "")).split())
        if not (number.isdigit() and 12 <= len(number) <= 30):
            message = "账号须为 12–30 位数字 (must be 12-30 digits)"
            return JSONResponse({"detail": [{"field": "account_number", "message": message}]}, 422)
        person.update(payment_account={"bank": body["bank"], "account_number": number}, version=person["version"] + 1)
        return view(person, False)

    @app.post("/persons/search")
    async def search(request: Request, authorization: str | None = Header(None)) -> Any:
        principal = caller(authorization)
        body = await request.json()
        region = body.get("region")
        if region and not region.startswith(principal.region):
            raise HTTPException(403, "只能查询本辖区 (outside your jurisdiction)")
        q = body.get("q") or ""
        found = [
            p
            for p in people.values()
            if principal.can_see(p["region"]) and (not q or p["name"].startswith(q) or p["id_number"] == q)
        ]
        items = [{**view(p, False), "birth_date": "1960-01-01", "disability_level": None} for p in found]
        return {"items": items, "total": len(items), "total_exact": True, "page_size": 20, "next": None}

    @app.post("/persons/names")
    async def names(request: Request, authorization: str | None = Header(None)) -> Any:
        principal = caller(authorization)
        ids = (await request.json())["ids"]
        return [
            {"id": p["id"], "name": p["name"], "region": p["region"], "region_name": None, "status": p["status"]}
            for person_id in ids
            if (p := people.get(person_id)) and principal.can_see(p["region"])
        ]

    jobs: dict[str, dict[str, Any]] = {}
    app.state.jobs = jobs

    @app.get("/imports/template.xlsx")
    async def template(authorization: str | None = Header(None)) -> Any:
        caller(authorization)
        return Response(
            b"template",
            media_type="application/octet-stream",
            headers={"Content-Disposition": "attachment; filename=roster.xlsx"},
        )

    @app.post("/imports", status_code=202)
    async def start_import(request: Request, authorization: str | None = Header(None)) -> Any:
        caller(authorization)
        form = await request.form()
        upload = form["file"]
        assert not isinstance(upload, str)
        if not (upload.filename or "").endswith((".xlsx", ".csv")):
            return JSONResponse(
                {"detail": [{"field": "file", "message": "请上传 .xlsx 或 .csv 文件 (upload an .xlsx or .csv file)"}]},
                status_code=422,
            )
        job_id = str(uuid.uuid4())
        jobs[job_id] = {"content": await upload.read(), "polls": 0, "filename": upload.filename}
        return {"job_id": job_id}

    @app.get("/imports/{job_id}")
    async def import_status(job_id: str, authorization: str | None = Header(None)) -> Any:
        caller(authorization)
        job = jobs[job_id]
        job["polls"] += 1  # the first answer is "running", the next ones "completed"
        running = job["polls"] == 1
        return {
            "job_id": job_id,
            "filename": job["filename"],
            "status": "running" if running else "completed",
            "message": "",
            "rows": 2,
            "registered": 0 if running else 1,
            "already_registered": 0,
            "rejected": 0 if running else 1,
            "rejected_rows": []
            if running
            else [{"row": 3, "field": "id_number", "column": "公民身份号码", "reason": "身份证号码校验位不正确"}],
            "rejected_rows_xlsx": f"/imports/{job_id}/rejected.xlsx",
        }

    @app.get("/imports/{job_id}/rejected.xlsx")
    async def rejected(job_id: str, authorization: str | None = Header(None)) -> Any:
        caller(authorization)
        return Response(
            b"rejected rows", headers={"Content-Disposition": f'attachment; filename="rejected-{job_id}.xlsx"'}
        )

    app.state.access_log = []

    @app.get("/access-log")
    async def access_log(actor: str | None = None, authorization: str | None = Header(None)) -> Any:
        principal = caller(authorization)
        if principal.roles.isdisjoint({Role.auditor, Role.admin}):
            raise HTTPException(403, "您的账号没有此操作的权限 (requires one of the roles)")
        items = [e for e in app.state.access_log if not actor or e["actor"]["sub"] == actor]
        return {"items": items, "total": len(items), "page": 1, "page_size": 20}

    @app.get("/alerts")
    async def alerts(authorization: str | None = Header(None)) -> Any:
        caller(authorization)
        return []

    @app.get("/transfers")
    async def transfers(authorization: str | None = Header(None)) -> Any:
        caller(authorization)
        return []

    return app


def fake_outreach(settings: Settings, registry: FastAPI) -> FastAPI:
    """Outreach's contacts: it knows a person once their registration reached it (`known`), as the real one."""
    app = FastAPI()
    contacts: dict[str, dict[str, Any]] = {}
    app.state.contacts = contacts
    app.state.known = True

    @app.post("/contacts", status_code=201)
    async def record(request: Request, authorization: str | None = Header(None)) -> Any:
        principal = decode_token(settings, (authorization or "").removeprefix("Bearer "))
        body = await request.json()
        person = registry.state.people.get(body["person_id"])
        if person is None or not principal.can_see(person["region"]):
            raise HTTPException(404, "未找到该人员 (no such person in your jurisdiction)")
        if not app.state.known:
            raise HTTPException(409, "该人员的登记信息尚未同步到联系走访服务，请稍后再试 (not known to outreach yet)")
        if body.get("date", "") > "2026-12-31":
            return JSONResponse({"detail": [{"field": "date", "message": "联系日期不能晚于今天"}]}, status_code=422)
        contact_id = str(uuid.uuid4())
        contacts[contact_id] = {
            **body,
            "id": contact_id,
            "region": person["region"],
            "staff": principal.sub,
            "recorded_by": principal.sub,
            "findings": body.get("findings", ""),
            "occasion": body.get("occasion"),
            "campaign_id": None,
        }
        return {"id": contact_id}

    app.state.requests = []

    @app.get("/requests")
    async def requests(
        overdue: bool | None = None, escalated: bool = False, authorization: str | None = Header(None)
    ) -> Any:
        principal = decode_token(settings, (authorization or "").removeprefix("Bearer "))
        rows = [
            row
            for row in app.state.requests
            if principal.can_see(row["region"])
            and (overdue is None or row["overdue"] == overdue)
            and (not escalated or row["escalation_level"] > 0)
        ]
        return {"items": rows, "next": None}

    @app.get("/contacts/{contact_id}")
    async def read(contact_id: str, authorization: str | None = Header(None)) -> Any:
        principal = decode_token(settings, (authorization or "").removeprefix("Bearer "))
        found = contacts.get(contact_id)
        if found is None or not principal.can_see(found["region"]):
            raise HTTPException(404, "查无此联系记录 (no such contact in your jurisdiction)")
        return found

    return app


def view(person: dict[str, Any], reveal: bool, account_shown: bool = False) -> dict[str, Any]:
    return {
        "id": person["id"],
        "name": person["name"],
        "id_number": person["id_number"] if reveal else mask_id_number(person["id_number"]),
        "sex": "male",
        "birth_date": "1960-01-01",
        "age": 66,
        "ethnicity": None,
        "phone": person.get("phone"),
        "address": person.get("address"),
        "region": person["region"],
        "region_name": None,
        "household": None,
        "categories": person["categories"],
        "category_names": ["退役士兵"],
        "survivor_of": [],
        "service": None,
        "honours": [],
        "disability": None,
        "profile": {},
        "key_contact": False,
        "key_contact_reasons": [],
        "preferential_card": person.get("preferential_card", {"status": "none"}),
        "payment_account": person.get("payment_account")
        if account_shown
        else masked_account(person.get("payment_account")),
        "annual_confirmations": [],
        "status": person["status"],
        "died_on": None,
        "merged_into": None,
        "pending_transfer": None,
        "version": person["version"],
        "registered_at": "2026-12-01T04:00:00Z",
        "updated_at": "2026-12-01T04:00:00Z",
        "revealed": ["id_number"] if reveal else [],
    }


class Services(httpx.AsyncBaseTransport):
    """The network to the services: each base URL answered by its in-process app, or refused when it is down.
    `apps` is by service name, or by base URL for anything else (an identity provider)."""

    def __init__(self, settings: ConsoleSettings, apps: dict[str, FastAPI]) -> None:
        urls = {name: settings.service_url(name) if name in SERVICES else name for name in apps}
        self.hosts = {httpx.URL(url).netloc: name for name, url in urls.items()}
        self.apps = {name: httpx.ASGITransport(app=app) for name, app in apps.items()}
        self.down: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = self.hosts.get(request.url.netloc)
        if name is None or name in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.apps[name].handle_async_request(request)


# ------------------------------------------------------------------------------------------------ fixtures

IDP = "http://idp.test"


def fake_provider() -> FastAPI:
    """An OpenID Connect provider: discovery, and a token endpoint that trades the code `good` for a token."""
    app = FastAPI()
    app.state.exchanged = []

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> Any:
        return {"authorization_endpoint": f"{IDP}/authorize", "token_endpoint": f"{IDP}/token", "issuer": IDP}

    @app.post("/token")
    async def token(request: Request) -> Any:
        form = await request.form()
        app.state.exchanged.append(dict(form))
        if form.get("code") != "good":
            raise HTTPException(400, "invalid_grant")
        return {"access_token": app.state.token, "token_type": "Bearer"}

    return app


@dataclass
class Console:
    """The console app over fake services; `sign_in` gives a browser-like client with its cookies."""

    app: FastAPI
    services: Services
    registry: FastAPI
    outreach: FastAPI
    provider: FastAPI
    platform: Settings

    def client(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def sign_in(self, role: str = "station_staff", region: str = "350102001") -> TestClient:
        client = self.client()
        client.get("/login")
        answer = client.post(
            "/login/dev",
            data={"csrf_token": csrf_of(client), "sub": f"u-{role}", "name": "测试", "role": role, "region": region},
        )
        assert answer.status_code == 303, answer.text
        return client


def csrf_of(client: TestClient) -> str:
    return str(client.cookies.get(CSRF_COOKIE))


@pytest.fixture
def console() -> Iterator[Console]:
    settings = ConsoleSettings(oidc_issuer=IDP, oidc_client_id="vet-console", oidc_client_secret="s3cret")
    platform = Settings()
    registry, provider = fake_registry(platform), fake_provider()
    outreach = fake_outreach(platform, registry)
    services = Services(settings, {"registry": registry, "outreach": outreach, IDP: provider})
    app = create_app(settings, platform, services)
    with TestClient(app):  # the lifespan opens the HTTP client every request shares
        yield Console(app, services, registry, outreach, provider, platform)


# ------------------------------------------------------------------------------- assistance and reporting

FILING, APPROVING, MANAGING = EDITORS, {Role.approver, Role.admin}, {Role.officer, Role.admin}
LEVELS = {2: "province", 4: "city", 6: "county"}


def principal_of(settings: Settings, authorization: str | None) -> Principal:
    try:
        return decode_token(settings, (authorization or "").removeprefix("Bearer "))
    except AuthError as error:
        raise HTTPException(401, str(error)) from None


def needs(principal: Principal, roles: set[Role]) -> None:
    if principal.roles.isdisjoint(roles):
        raise HTTPException(403, "您的账号没有此操作的权限 (requires one of the roles)")


def refused(field: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": [{"field": field, "message": message}]}, status_code=422)


def fake_assistance(settings: Settings, registry: FastAPI) -> FastAPI:
    """Funds, applications through their steps (roles, levels, order, If-Match) and payrolls, as assistance
    answers them; `calls` keeps every POST with its headers."""
    app = FastAPI()
    funds: dict[str, dict[str, Any]] = {}
    applications: dict[str, dict[str, Any]] = {}
    payrolls: dict[str, dict[str, Any]] = {}
    app.state.funds, app.state.applications, app.state.payrolls = funds, applications, payrolls
    app.state.calls = []

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        if request.method == "POST":
            app.state.calls.append((request.url.path, dict(request.headers)))
        return await call_next(request)

    def visible_fund(principal: Principal, fund_id: str) -> dict[str, Any]:
        fund = funds.get(fund_id)
        if fund is None or not (principal.can_see(fund["region"]) or principal.region.startswith(fund["region"])):
            raise HTTPException(404, "未找到该资金 (no such fund in your jurisdiction)")
        return fund

    def visible_application(principal: Principal, application_id: str) -> dict[str, Any]:
        found = applications.get(application_id)
        if found is None or not principal.can_see(found["region"]):
            raise HTTPException(404, "未找到该申请 (no such application in your jurisdiction)")
        return found

    @app.post("/funds", status_code=201)
    async def create_fund(request: Request, authorization: str | None = Header(None)) -> Any:
        principal = principal_of(settings, authorization)
        needs(principal, MANAGING)
        body = await request.json()
        if not str(body.get("name", "")).strip():
            return refused("name", "请填写资金名称 (name is required)")
        if body["rules"]["amount"]["kind"] == "fixed" and "amount_fen" not in body["rules"]["amount"]:
            return refused("rules.amount.fixed.amount_fen", "必填项，请填写 (required)")
        if not principal.can_see(body["region"]):
            raise HTTPException(403, f"只能为本辖区（{principal.region}）设立资金")
        fund_id = str(uuid.uuid4())
        rules = body["rules"]  # as the API answers them: every part with its default
        rules.setdefault("yearly_ceiling_fen", None)
        rules["eligibility"] = {"categories": [], "key_contact_reasons": [], "household": None, **rules["eligibility"]}
        funds[fund_id] = {
            **body,
            "id": fund_id,
            "version": 1,
            "committed_fen": 0,
            "disbursed_fen": 0,
            "remaining_fen": body["budget_fen"],
            "rules_version": 1,
        }
        return {"id": fund_id}

    @app.get("/funds")
    async def find_funds(authorization: str | None = Header(None)) -> Any:
        principal = principal_of(settings, authorization)
        found = [fund for fund in funds.values() if principal.can_see(fund["region"])]
        found += [fund for fund in funds.values() if principal.region.startswith(fund["region"]) and fund not in found]
        return {"items": found, "next": None}

    @app.get("/funds/{fund_id}")
    async def get_fund(fund_id: str, authorization: str | None = Header(None)) -> Any:
        return visible_fund(principal_of(settings, authorization), fund_id)

    @app.post("/applications", status_code=201)
    async def submit(request: Request, authorization: str | None = Header(None)) -> Any:
        principal = principal_of(settings, authorization)
        needs(principal, FILING)
        body = await request.json()
        fund = visible_fund(principal, body["fund_id"])
        person = registry.state.people.get(body["person_id"])
        if person is None or not principal.can_see(person["region"]):
            raise HTTPException(404, "未找到该人员 (no such person in your jurisdiction)")
        wanted = fund["rules"].get("eligibility", {}).get("categories") or []
        if wanted and not set(wanted) & set(person["categories"]):
            raise HTTPException(409, "不符合本资金条件：人员类别不在本资金范围内 (category not covered)")
        application_id = str(uuid.uuid4())
        applications[application_id] = {
            "id": application_id,
            "version": 1,
            "fund_id": fund["id"],
            "fund_kind": fund["kind"],
            "person_id": body["person_id"],
            "region": person["region"],
            "status": "submitted",
            "waiting_for": "accept",
            "on_behalf_of": body["on_behalf_of"],
            "facts": body["facts"],
            "documents": body["documents"],
            "levels": [],
            "approved_levels": [],
            "amount_fen": None,
            "decision": None,
            "steps": [{"step": "submitted", "by": principal.sub, "role": "station_staff", "at": "2026-12-01T02:00:00"}],
            "payment": None,
            "submitted_at": "2026-12-01T02:00:00",
        }
        return {"id": application_id}

    @app.get("/applications")
    async def find_applications(
        waiting_for: str | None = None,
        fund_id: str | None = None,
        person_id: str | None = None,
        authorization: str | None = Header(None),
    ) -> Any:
        principal = principal_of(settings, authorization)
        found = [
            a
            for a in applications.values()
            if principal.can_see(a["region"])
            and (waiting_for is None or a["waiting_for"] == waiting_for)
            and (fund_id is None or a["fund_id"] == fund_id)
            and (person_id is None or a["person_id"] == person_id)
        ]
        return {"items": found, "next": None}

    @app.get("/persons/{person_id}/ledger")
    async def ledger(person_id: str, authorization: str | None = Header(None)) -> Any:
        principal = principal_of(settings, authorization)
        mine = [a for a in applications.values() if a["person_id"] == person_id and principal.can_see(a["region"])]
        totals = [{"fund_id": a["fund_id"], "year": 2026, "approved_fen": 160000, "paid_fen": 0} for a in mine]
        return {"person_id": person_id, "entries": [], "by_fund_and_year": totals}

    @app.get("/applications/{application_id}")
    async def get_application(application_id: str, authorization: str | None = Header(None)) -> Any:
        return visible_application(principal_of(settings, authorization), application_id)

    # step: (roles, the status it needs, the status after, waiting_for after)
    steps: dict[str, tuple[set[Role], str, str, str | None]] = {
        "accept": (FILING, "submitted", "accepted", "approve:county"),
        "return": (FILING, "submitted", "returned", "resubmit"),
        "approve": (APPROVING, "accepted", "approved", "notify"),
        "deny": (APPROVING, "accepted", "denied", "notify"),
        "notify": (FILING, "approved", "notified", "disburse"),
        "disburse": (MANAGING, "notified", "disbursed", "evaluate"),
        "evaluate": (FILING, "disbursed", "evaluated", None),
        "assign": (MANAGING, "transfer_pending", "submitted", "accept"),
    }

    @app.post("/applications/{application_id}/{step}")
    async def take_step(
        application_id: str,
        step: str,
        request: Request,
        authorization: str | None = Header(None),
        if_match: str | None = Header(None),
    ) -> Any:
        principal = principal_of(settings, authorization)
        roles, before, after, waiting = steps[step]
        needs(principal, roles)
        found = visible_application(principal, application_id)
        body = await request.json()
        level = LEVELS.get(len(principal.region), "township")
        if step in ("approve", "deny") and found["status"] == before and level != "county":
            raise HTTPException(403, f"本步骤须由县级审批，您是{'市级' if level == 'city' else level} (wrong level)")
        if found["status"] != before:
            raise HTTPException(409, f"当前状态为“{found['status']}”，不能{step} (not possible now)")
        if if_match and if_match.strip('"') != str(found["version"]):
            raise HTTPException(412, "申请已被他人办理 (the application moved on)")
        for field in ("reason", "finding", "payment_reference"):
            if field in body and not str(body[field]).strip():
                return refused(field, "请填写理由 (a reason is required)")
        if step == "disburse" and not request.headers.get("Idempotency-Key"):
            return refused("Idempotency-Key", "拨付须带 Idempotency-Key 请求头")
        if step == "assign":
            chosen = funds.get(str(body.get("fund_id")))
            if chosen is None or not found["region"].startswith(chosen["region"]):
                return refused("fund_id", NOT_COVERED)
            found["fund_id"] = chosen["id"]
        fund = funds[found["fund_id"]]
        if step == "accept":
            amount = fund["rules"]["amount"].get("amount_fen", 0)
            found.update(amount_fen=amount, levels=["county"])
            found["decision"] = {
                "rules_version": 1,
                "amount_rule": fund["rules"]["amount"],
                "yearly_ceiling_fen": fund["rules"].get("yearly_ceiling_fen"),
                "inputs": found["facts"],
                "amount_fen": amount,
            }
        if step == "approve":
            found["approved_levels"] = ["county"]
            fund["committed_fen"] += found["amount_fen"]
            fund["remaining_fen"] -= found["amount_fen"]
        if step == "disburse":
            found["payment"] = {"reference": body["payment_reference"], "paid_on": body["paid_on"]}
            found["payment"]["amount_fen"] = found["amount_fen"]
            fund["committed_fen"] -= found["amount_fen"]
            fund["disbursed_fen"] += found["amount_fen"]
        found["steps"].append({"step": after, "by": principal.sub, "at": "2026-12-01T03:00:00", **body})
        found.update(status=after, waiting_for=waiting, version=found["version"] + 1)
        return found

    @app.post("/payrolls", status_code=201)
    async def compute_payroll(request: Request, authorization: str | None = Header(None)) -> Any:
        principal = principal_of(settings, authorization)
        needs(principal, MANAGING)
        body = await request.json()
        if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", body.get("month", "")):
            return refused("month", "月份格式应为 YYYY-MM，如 2026-09 (month must be YYYY-MM, e.g. 2026-09)")
        fund = visible_fund(principal, body["fund_id"])
        payroll_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{fund['id']}|{body['month']}"))
        payrolls.setdefault(
            payroll_id,
            {
                "id": payroll_id,
                "fund_id": fund["id"],
                "region": fund["region"],
                "month": body["month"],
                "status": "computed",
                "lines": 2,
                "voided": 0,
                "total_fen": 40000,
            },
        )
        return payrolls[payroll_id]

    @app.get("/payrolls/{payroll_id}")
    async def get_payroll(payroll_id: str, authorization: str | None = Header(None)) -> Any:
        principal = principal_of(settings, authorization)
        found = payrolls.get(payroll_id)
        if found is None or not principal.can_see(found["region"]):
            raise HTTPException(404, "未找到该发放表")
        return found

    @app.post("/payrolls/{payroll_id}/{action}")
    async def payroll_action(payroll_id: str, action: str, authorization: str | None = Header(None)) -> Any:
        principal = principal_of(settings, authorization)
        needs(principal, APPROVING if action == "approve" else MANAGING)
        found = payrolls[payroll_id]
        before, after = ("computed", "approved") if action == "approve" else ("approved", "released")
        if found["status"] != before:
            raise HTTPException(409, f"发放表状态为 {found['status']}，不能{action}")
        found["status"] = after
        return found

    @app.get("/payrolls/{payroll_id}/bank-file")
    async def bank_file(payroll_id: str, format: str = "xlsx", authorization: str | None = Header(None)) -> Any:
        principal_of(settings, authorization)
        return Response(
            f"序号,人员编号,金额（元）\n1,p1,200.00\n{format}".encode(),
            media_type="text/csv" if format == "csv" else "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="payroll.{format}"'},
        )

    return app


def fake_reporting(settings: Settings) -> FastAPI:
    """Statistics (a region and its two sub-regions), exports, the audit search and the archive's verdict."""
    app = FastAPI()
    app.state.calls = []
    app.state.events = []
    app.state.verdict = {"intact": True, "entries": 12, "seals": 2, "sealed_through": 10, "problems": []}

    @app.get("/stats/{topic}")
    async def statistic(
        topic: str,
        region: str | None = None,
        period: str | None = None,
        as_of: str | None = None,
        authorization: str | None = Header(None),
    ) -> Any:
        principal = principal_of(settings, authorization)
        app.state.calls.append({"topic": topic, "region": region, "period": period, "as_of": as_of})
        prefix = region or principal.region
        if not principal.can_see(prefix):
            raise HTTPException(403, "该地区不在您的辖区内 (outside your jurisdiction)")
        if period and not re.fullmatch(r"all|\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?", period):
            return refused("period", f"统计期应为年（2026）、季度（2026-Q3）或月份（2026-07），收到“{period}”")
        if as_of and as_of > "2026-12-31":
            return refused("as_of", "截至日期不能晚于今天 (as_of cannot be after today)")

        def figures(people: int) -> dict[str, Any]:
            return {"people": people, "budget_fen": people * 160000}

        return {
            "topic": topic,
            "title": "人员统计",
            "region": prefix,
            "region_name": "鼓楼区",
            "period": period or "all",
            "as_of": as_of,
            "produced_at": "2026-12-01T04:00:00Z",
            "published": False,
            "threshold": None,
            "locked": False,
            "corrections": None,
            "columns": [
                {"key": "people", "label": "在册人数", "unit": "count"},
                {"key": "budget_fen", "label": "预算（元）", "unit": "fen"},
            ],
            "total": {"region": prefix, "name": "鼓楼区", "figures": figures(5)},
            "rows": [
                {"region": f"{prefix}001", "name": "鼓东街道", "figures": figures(3)},
                {"region": f"{prefix}002", "name": "鼓西街道", "figures": figures(2)},
            ],
        }

    @app.get("/stats/{topic}/by-period")
    async def by_period(
        topic: str,
        period: Annotated[list[str], Query()],
        region: str | None = None,
        authorization: str | None = Header(None),
    ) -> Any:
        principal = principal_of(settings, authorization)
        app.state.calls.append({"topic": topic, "region": region, "periods": period})
        if not principal.can_see(region or principal.region):
            raise HTTPException(403, "该地区不在您的辖区内 (outside your jurisdiction)")
        return {
            "topic": topic,
            "region": region or principal.region,
            "region_name": "鼓楼区",
            "columns": [
                {"key": "people", "label": "在册人数", "unit": "count"},
                {"key": "budget_fen", "label": "预算（元）", "unit": "fen"},
            ],
            "periods": [{"period": key, "figures": {"people": 5, "budget_fen": 800000}} for key in period],
        }

    @app.get("/summary-tables/{campaign_id}")
    async def summary_table(
        campaign_id: str,
        region: str | None = None,
        as_of: str | None = None,
        authorization: str | None = Header(None),
    ) -> Any:
        principal = principal_of(settings, authorization)
        prefix = region or principal.region
        if not principal.can_see(prefix):
            raise HTTPException(403, "该地区不在您的辖区内 (outside your jurisdiction)")
        if as_of and as_of > "2026-12-31":
            return refused("as_of", "截至日期不能晚于今天 (as_of cannot be after today)")
        columns = [
            {"key": "visited", "label": "走访人数", "unit": "count"},
            {"key": "money_fen", "label": "慰问金（元）", "unit": "fen"},
        ]

        def row(number: int | None, code: str, name: str, visited: int, status: str) -> dict[str, Any]:
            figures = {"visited": visited, "money_fen": visited * 50000}
            return {"number": number, "region": code, "name": name, "figures": figures, "status": status}

        return {
            "campaign": campaign_id,
            "occasion": "2027年春节",
            "title": "走访慰问情况汇总表",
            "region": prefix,
            "region_name": "福州市",
            "as_of": as_of,
            "produced_at": "2026-12-01T04:00:00Z",
            "published": False,
            "threshold": None,
            "columns": columns,
            "rows": [row(1, f"{prefix}02", "鼓楼区", 3, "已审核"), row(2, f"{prefix}03", "台江区", 2, "未报送")],
            "total": row(None, prefix, "合计", 5, "1/2 已审核"),
        }

    @app.get("/summary-tables/{campaign_id}/export")
    async def summary_workbook(campaign_id: str, request: Request, authorization: str | None = Header(None)) -> Any:
        principal_of(settings, authorization)
        return Response(
            f"summary {campaign_id} {sorted(request.query_params.items())}".encode(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="summary-{campaign_id}.xlsx"'},
        )

    @app.get("/stats/{topic}/export")
    async def export(topic: str, request: Request, authorization: str | None = Header(None)) -> Any:
        principal_of(settings, authorization)
        query = dict(request.query_params)
        return Response(
            f"export {topic} {sorted(query.items())}".encode(),
            media_type="text/csv" if query.get("format") == "csv" else "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{topic}.{query.get("format")}"'},
        )

    @app.get("/audit/events")
    async def audit_events(
        actor: str | None = None,
        aggregate_id: str | None = None,
        region: str | None = None,
        authorization: str | None = Header(None),
    ) -> Any:
        principal = principal_of(settings, authorization)
        needs(principal, {Role.auditor, Role.admin})
        if not (actor or aggregate_id or (region and len(region) >= 9)):
            return refused("region", "请先按经办人、记录或乡镇缩小查询范围 (narrow the search first)")
        items = [e for e in app.state.events if (not actor or e["actor"]["sub"] == actor)]
        return {"items": items, "next": None, "chain_intact": True}

    @app.get("/audit/verify")
    async def verify(authorization: str | None = Header(None)) -> Any:
        needs(principal_of(settings, authorization), {Role.auditor, Role.admin})
        return app.state.verdict

    return app


@dataclass
class MoneyConsole(Console):
    assistance: FastAPI = None  # type: ignore[assignment]
    reporting: FastAPI = None  # type: ignore[assignment]


@pytest.fixture
def money() -> Iterator[MoneyConsole]:
    """The console over all four fake services."""
    settings = ConsoleSettings()
    platform = Settings()
    registry, provider = fake_registry(platform), fake_provider()
    outreach, assistance = fake_outreach(platform, registry), fake_assistance(platform, registry)
    reporting = fake_reporting(platform)
    apps = {"registry": registry, "outreach": outreach, "assistance": assistance, "reporting": reporting}
    services = Services(settings, {**apps, IDP: provider})
    app = create_app(settings, platform, services)
    with TestClient(app):
        yield MoneyConsole(app, services, registry, outreach, provider, platform, assistance, reporting)
