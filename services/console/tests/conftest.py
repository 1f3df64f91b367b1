"""A small in-process registry that really behaves like the real one for what the console asks of it: tokens,
jurisdiction (404 outside), roles (403), 422 with [{field, message}], If-Match; and services that are down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient

from console.app import create_app
from console.settings import ConsoleSettings
from console.web import CSRF_COOKIE
from vet_common.auth import AuthError, Principal, Role, decode_token
from vet_common.idnumber import InvalidIdNumber, mask_id_number, parse_id_number
from vet_common.settings import SERVICES, Settings

EDITORS = {Role.station_staff, Role.officer, Role.admin}


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
        return view(person, shown)

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


def view(person: dict[str, Any], reveal: bool) -> dict[str, Any]:
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
        "preferential_card": {},
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
