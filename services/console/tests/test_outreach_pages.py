"""联系走访 and 诉求台账 pages over the real outreach API (in-process, its read models on the MongoDB-wire server,
the projector run by the test), with the fake registry for names and a fake of assistance's application list:
pairings, due and overdue lists, campaigns with their county tables, the request ledger and the to-do page."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Header, Query
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from console.web import CSRF_COOKIE
from outreach.projections import OutreachProjection
from outreach.service import definition, reactions
from vet_common.api import create_api
from vet_common.auth import decode_token, issue_token
from vet_common.domain import CHINA, FixedClock
from vet_common.projector import Projector
from vet_common.settings import Settings
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration  # outreach's read models on the MongoDB-wire server

TODAY = datetime.now(CHINA).date()  # the console shows deadlines against today: outreach's clock agrees
VILLAGE, NEIGHBOURS, NEXT_TOWNSHIP = "350102001001", "350102001002", "350102002001"
ELSEWHERE = "350103001001"  # another county (台江区)
WORKER = "u-station_staff"  # the account console.sign_in() signs a station worker in with


class Forwarded(httpx.AsyncBaseTransport):
    """The console's calls to a service answered by that service's app behind its own TestClient (its lifespan,
    event loop and read-model client stay its own)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        content = await request.aread()
        answer = await asyncio.to_thread(
            self.client.request, request.method, request.url.raw_path.decode(), headers=headers, content=content
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


def fake_assistance(settings: Settings) -> FastAPI:
    """Assistance's GET /applications for the to-do page: the applications of `state.applications` by step."""
    app = FastAPI()
    app.state.applications = []

    @app.get("/applications")
    async def applications(waiting_for: str = Query(""), authorization: str | None = Header(None)) -> Any:
        principal = decode_token(settings, (authorization or "").removeprefix("Bearer "))
        items = [
            a for a in app.state.applications if a["waiting_for"] == waiting_for and principal.can_see(a["region"])
        ]
        return {"items": items, "next": None}

    return app


@dataclass
class Pages:
    """The console (signed-in clients), outreach behind it, and what the test does to outreach directly."""

    console: Any
    outreach: TestClient
    settings: Settings
    mongo_url: str
    assistance: FastAPI
    feed: RegistryFeed

    def person(self, name: str, region: str = VILLAGE, reasons: tuple[str, ...] = ("martyr_survivor",)) -> str:
        """A key contact known to the registry (its name) and to outreach (the registry's event reached it)."""
        person_id = str(uuid.uuid4())
        self.console.registry.state.people[person_id] = {
            "id": person_id,
            "name": name,
            "region": region,
            "id_number": "350102196008010031",
            "categories": ["discharged_soldier"],
            "version": 1,
            "status": "active",
        }
        registered = self.feed.registered(person_id, region, key_contact_reasons=list(reasons))
        reactions.process(self.outreach.app.state.application, registered)  # type: ignore[attr-defined]
        return person_id

    def api(self, method: str, path: str, region: str, role: str = "officer", **kwargs: Any) -> Any:
        token = issue_token(self.settings, sub=f"o-{region}", name="蔡", roles=[role], region=region)
        answer = self.outreach.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json()

    def project(self) -> None:
        async def catch_up() -> None:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                db = client[self.settings.read_model_db_name]
                app = self.outreach.app.state.application  # type: ignore[attr-defined]
                projection = OutreachProjection(app)
                await projection.setup(db)
                projector = Projector(app, db, projection)
                while await projector.run_once():
                    pass
            finally:
                await client.close()

        asyncio.run(catch_up())

    def recorded(self) -> int:
        return self.outreach.app.state.application.process_recorder.max_notification_id() or 0  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def pages(console: Any, tmp_path: Path, mongo_url: str) -> Iterator[Pages]:
    settings = Settings.for_service(
        "outreach", data_dir=tmp_path, mongo_url=mongo_url, read_model_db=f"c_{uuid.uuid4().hex[:8]}"
    )
    with TestClient(create_api(definition, settings, clock=FixedClock(TODAY))) as outreach:
        console.services.apps["outreach"] = Forwarded(outreach)
        assistance = fake_assistance(console.platform)
        url = console.app.state.console_settings.service_url("assistance")
        console.services.hosts[httpx.URL(url).netloc] = "assistance"
        console.services.apps["assistance"] = httpx.ASGITransport(app=assistance)
        yield Pages(console, outreach, settings, mongo_url, assistance, RegistryFeed())


def csrf(client: TestClient) -> str:
    return str(client.cookies.get(CSRF_COOKIE))


def error_beside(html: str, dom_id: str) -> str | None:
    found = re.search(rf'id="{re.escape(dom_id)}-error"[^>]*>([^<]*)<', html)
    return found.group(1) if found else None


def section(html: str, title: str) -> str:
    """One box of the to-do page, from its title to the next box."""
    return html.split(title, 1)[1].split('<section class="box"', 1)[0]


# Pairings, due and overdue -------------------------------------------------------------------------------------


def test_an_officer_pairs_a_worker_who_then_sees_the_overdue_people_by_name_and_records_a_visit(pages: Pages) -> None:
    zhao, qian = pages.person("赵建国"), pages.person("钱卫东", NEIGHBOURS)
    pages.person("孙其他", ELSEWHERE)  # another county's
    pages.project()
    officer = pages.console.sign_in(role="officer", region="350102")
    unpaired = officer.get("/pairings/unpaired")
    assert unpaired.status_code == 200
    assert "赵建国" in unpaired.text
    assert "钱卫东" in unpaired.text
    assert "孙其他" not in unpaired.text

    before = pages.recorded()
    nobody = officer.post("/pairings/new", data={"csrf_token": csrf(officer), "staff": WORKER})
    assert nobody.status_code == 422
    assert error_beside(nobody.text, "f-person_ids") == "请勾选要结对的人员"
    no_staff = officer.post("/pairings/new", data={"csrf_token": csrf(officer), "person_ids": [zhao]})
    assert error_beside(no_staff.text, "f-staff") == "请填写结对工作人员的账号"
    assert pages.recorded() == before
    paired = officer.post(
        "/pairings/new", data={"csrf_token": csrf(officer), "staff": WORKER, "person_ids": [zhao, qian]}
    )
    assert paired.status_code == 303, paired.text
    twice = officer.post("/pairings/new", data={"csrf_token": csrf(officer), "staff": "s2", "person_ids": [zhao]})
    assert twice.status_code == 422
    assert "改派" in (error_beside(twice.text, f"f-person-{zhao}") or "")  # outreach's words, beside the person
    pages.project()

    worker = pages.console.sign_in()
    mine = worker.get("/pairings")
    assert mine.status_code == 200
    assert "赵建国" in mine.text
    assert "钱卫东" in mine.text
    assert "逾期" in mine.text
    assert f'href="/persons/{zhao}/contacts/new"' in mine.text
    home = worker.get("/")
    box = section(home.text, "我结对的重点对象：逾期和近期应联系")
    assert "赵建国 · 逾期" in box
    assert f'href="/persons/{zhao}/contacts/new"' in box

    overdue = worker.get("/visits/overdue")
    assert "赵建国" in overdue.text
    assert f"结对：{WORKER}" in overdue.text
    visit = {"csrf_token": csrf(worker), "method": "home_visit", "date": (TODAY - timedelta(days=1)).isoformat()}
    assert worker.post(f"/persons/{zhao}/contacts/new", data=visit).status_code == 303
    pages.project()
    assert "赵建国" not in worker.get("/visits/overdue").text
    assert "赵建国" in worker.get("/visits/due", params={"within_days": "90"}).text
    assert "赵建国 · 逾期" not in section(worker.get("/").text, "我结对的重点对象：逾期和近期应联系")
    tab = worker.get(f"/persons/{zhao}", params={"tab": "contacts"})  # the person's 联系记录 tab
    assert 'aria-current="page">联系记录</a>' in tab.text
    assert "上门走访" in tab.text
    assert (TODAY - timedelta(days=1)).isoformat() in tab.text
    assert 'href="/contacts/' in tab.text


def test_a_region_outside_ones_jurisdiction_is_refused_beside_the_filter(pages: Pages) -> None:
    worker = pages.console.sign_in()
    answer = worker.get("/visits/overdue", params={"region": "350103"})
    assert answer.status_code == 403
    assert "只能查询本辖区" in (error_beside(answer.text, "f-region") or "")
    assert 'value="350103"' in answer.text  # the filter as typed


def test_an_officer_reassigns_and_ends_pairings_and_a_worker_is_not_offered_it(pages: Pages) -> None:
    zhao, qian = pages.person("赵建国"), pages.person("钱卫东")
    pages.project()
    officer = pages.console.sign_in(role="officer", region="350102")
    officer.post("/pairings/new", data={"csrf_token": csrf(officer), "staff": WORKER, "person_ids": [zhao, qian]})
    pages.project()
    manage = officer.get("/pairings/manage", params={"staff": WORKER})
    assert "赵建国" in manage.text
    ids = {p["person_id"]: p["id"] for p in pages.api("GET", "/pairings", "350102", params={"staff": WORKER})["items"]}
    assert f'action="/pairings/{ids[zhao]}/reassign"' in manage.text
    before = pages.recorded()
    empty = officer.post(f"/pairings/{ids[zhao]}/reassign", data={"csrf_token": csrf(officer), "staff": ""})
    assert empty.status_code == 422
    assert pages.recorded() == before
    moved = officer.post(f"/pairings/{ids[zhao]}/reassign", data={"csrf_token": csrf(officer), "staff": "s2"})
    assert moved.status_code == 303
    ended = officer.post(f"/pairings/{ids[qian]}/end", data={"csrf_token": csrf(officer), "reason": "staff_left"})
    assert ended.status_code == 303
    pages.project()
    assert "已结束结对" in officer.get(ended.headers["location"]).text
    assert "赵建国" in officer.get("/pairings/manage", params={"staff": "s2"}).text
    worker = pages.console.sign_in()
    assert "赵建国" not in worker.get("/pairings").text
    assert 'href="/pairings/manage"' not in worker.get("/pairings").text
    assert worker.get("/pairings/manage").status_code == 403
    assert (
        worker.post(f"/pairings/{ids[zhao]}/end", data={"csrf_token": csrf(worker), "reason": "other"}).status_code
        == 403
    )


# The request ledger ---------------------------------------------------------------------------------------------


def test_a_request_is_registered_with_the_apis_words_beside_the_field_and_taken_through_its_steps(
    pages: Pages,
) -> None:
    zhao = pages.person("赵建国")
    worker = pages.console.sign_in()
    person_page = worker.get(f"/persons/{zhao}")
    assert f'href="/requests/new?person_id={zhao}"' in person_page.text
    form = worker.get("/requests/new", params={"person_id": zhao})
    assert form.status_code == 200
    data = {"csrf_token": csrf(worker), "person_id": zhao, "category": "medical", "grade": "urgent"}
    before = pages.recorded()
    missing = worker.post("/requests/new", data=data)
    assert missing.status_code == 422
    assert error_beside(missing.text, "f-summary")
    assert pages.recorded() == before
    created = worker.post("/requests/new", data={**data, "summary": "住院费用报销困难"})
    assert created.status_code == 303, created.text
    page = worker.get(created.headers["location"])
    assert "已登记诉求" in page.text
    assert "住院费用报销困难" in page.text
    assert "赵建国" in page.text
    assert 'action="/requests/' in page.text
    assert "/accept" in page.text
    assert "/escalate" not in page.text  # officers escalate
    request_path = created.headers["location"].split("?")[0]

    stale = worker.post(f"{request_path}/accept", data={"csrf_token": csrf(worker), "version": "9"})
    assert stale.status_code == 412
    assert "刚被他人办理" in stale.text
    accepted = worker.post(
        f"{request_path}/accept", data={"csrf_token": csrf(worker), "version": "1", "note": "已受理"}
    )
    assert accepted.status_code == 303
    worker.post(f"{request_path}/start", data={"csrf_token": csrf(worker)})
    empty = worker.post(f"{request_path}/resolve", data={"csrf_token": csrf(worker), "what_was_done": ""})
    assert empty.status_code == 422
    assert error_beside(empty.text, "s-resolve-what_was_done")
    again = worker.post(f"{request_path}/accept", data={"csrf_token": csrf(worker)})
    assert again.status_code == 409
    assert "只有“已登记”的诉求才能受理" in again.text
    resolved = worker.post(
        f"{request_path}/resolve", data={"csrf_token": csrf(worker), "what_was_done": "协调医保报销"}
    )
    assert resolved.status_code == 303
    shown = worker.get(request_path)
    assert "已化解待回访" in shown.text
    assert [step in shown.text for step in ("登记", "受理", "开始办理", "化解")] == [True] * 4
    assert "协调医保报销" in shown.text
    assert "/follow-up" in shown.text

    pages.project()
    ledger = worker.get("/requests", params={"status": "resolved"})
    assert "赵建国" in ledger.text
    assert "医疗" in ledger.text
    assert "赵建国" not in worker.get("/requests").text  # open ones by default
    tab = worker.get(f"/persons/{zhao}", params={"tab": "requests"})  # the person's 诉求 tab
    assert 'aria-current="page">诉求</a>' in tab.text
    assert "医疗" in tab.text
    assert "已化解待回访" in tab.text
    assert f'href="{request_path}"' in tab.text
    auditor = pages.console.sign_in(role="auditor", region="35")
    seen = auditor.get(request_path)
    assert seen.status_code == 200
    assert "/follow-up" not in seen.text
    assert auditor.post(f"{request_path}/follow-up", data={"csrf_token": csrf(auditor)}).status_code == 403
    other = pages.console.sign_in(region="350103001")
    assert other.get(request_path).status_code == 404


def test_the_to_do_page_lists_my_requests_and_campaign_deadlines(pages: Pages) -> None:
    zhao = pages.person("赵建国")
    pages.api("POST", "/requests", "350102001", "station_staff", json={
        "person_id": zhao, "category": "housing", "grade": "ordinary", "summary": "危房改造", "assignee": WORKER,
    })  # fmt: skip
    campaign = pages.api("POST", "/campaigns", "3501", json={
        "name": "福州市春节走访慰问", "occasion": "春节", "region": "3501",
        "targets": {"groups": [{"code": "martyr_survivor", "key_contact_reasons": ["martyr_survivor"]}]},
        "deadlines": {"plan": str(TODAY + timedelta(days=3)), "visits": str(TODAY + timedelta(days=10)),
                      "report": str(TODAY + timedelta(days=60))},
    })["id"]  # fmt: skip
    pages.assistance.state.applications = [
        {"id": "a1", "person_id": zhao, "region": VILLAGE, "waiting_for": "accept", "amount_fen": None,
         "submitted_at": "2026-11-01T02:00:00+00:00"},
        {"id": "a2", "person_id": zhao, "region": VILLAGE, "waiting_for": "approve:city", "amount_fen": 300000,
         "submitted_at": "2026-11-02T02:00:00+00:00"},
    ]  # fmt: skip
    pages.project()

    home = pages.console.sign_in().get("/")
    mine = section(home.text, "我负责的诉求")
    assert "赵建国 · 住房 · " in mine
    assert 'href="/requests/' in mine
    deadlines = section(home.text, "走访慰问活动截止日期")
    assert (
        f"福州市春节走访慰问 · 方案 {TODAY + timedelta(days=3)} 截止，走访 {TODAY + timedelta(days=10)} 截止"
        in deadlines
    )
    assert f'href="/campaigns/{campaign}"' in deadlines
    assert 'href="/applications/a1"' in section(home.text, "待我办理的帮扶申请")  # assistance's own box


# Campaigns --------------------------------------------------------------------------------------------------------


def test_a_campaigns_progress_goes_down_by_region_and_the_county_table_is_submitted_and_reviewed(
    pages: Pages,
) -> None:
    zhao, qian = pages.person("赵建国"), pages.person("钱卫东", NEXT_TOWNSHIP)
    pages.person("孙其他", ELSEWHERE)
    pages.project()
    campaign = pages.api("POST", "/campaigns", "3501", json={
        "name": "福州市八一走访", "occasion": "八一", "region": "3501",
        "targets": {"groups": [{"code": "martyr_survivor", "key_contact_reasons": ["martyr_survivor"]}]},
        "deadlines": {"plan": str(TODAY), "visits": str(TODAY + timedelta(days=10)),
                      "report": str(TODAY + timedelta(days=20))},
    })["id"]  # fmt: skip
    pages.api("POST", f"/campaigns/{campaign}/launch", "3501")
    pages.project()

    city = pages.console.sign_in(role="officer", region="3501")
    listed = city.get("/campaigns")
    assert "福州市八一走访" in listed.text
    page = city.get(f"/campaigns/{campaign}")
    assert page.status_code == 200
    assert f'href="/campaigns/{campaign}?region=350102"' in page.text  # 鼓楼区, one level down
    assert "鼓楼区" in page.text
    assert "台江区" in page.text
    township = city.get(f"/campaigns/{campaign}", params={"region": "350102001"})
    assert "赵建国" in township.text  # not reached yet
    assert "钱卫东" not in township.text  # another township
    assert f"/persons/{zhao}/contacts/new?campaign_id={campaign}" in township.text
    worker = pages.console.sign_in()
    form = worker.get(f"/persons/{zhao}/contacts/new", params={"campaign_id": campaign})
    assert f'name="campaign_id" value="{campaign}"' in form.text
    visit = {"csrf_token": csrf(worker), "method": "home_visit", "date": str(TODAY), "campaign_id": campaign}
    assert worker.post(f"/persons/{zhao}/contacts/new", data=visit).status_code == 303
    pages.project()
    reached = city.get(f"/campaigns/{campaign}", params={"region": "350102001"})
    assert "赵建国" not in reached.text  # reached in person: off the list of those not reached
    assert f'href="/campaigns/{campaign}?region=350102"' in township.text  # and back up

    county = pages.console.sign_in(role="officer", region="350102")
    form = county.get(f"/campaigns/{campaign}")
    assert "填报本县（区）情况汇总表" in form.text
    table = {"csrf_token": csrf(county), "visited.martyr_survivor": "2", "money": "1,200.50", "goods": "300",
             "problems_found": "1", "problems_solved": "1"}  # fmt: skip
    before = pages.recorded()
    wrong = county.post(f"/campaigns/{campaign}/summary", data={**table, "money": "12.345", "problems_found": "x"})
    assert wrong.status_code == 422
    assert error_beside(wrong.text, "f-money") == "请填写金额（元），如 1200 或 1200.50"
    assert error_beside(wrong.text, "f-problems_found") == "请填写 0 或正整数"
    assert 'value="12.345"' in wrong.text
    assert pages.recorded() == before
    sent = county.post(f"/campaigns/{campaign}/summary", data=table)
    assert sent.status_code == 303, sent.text
    pages.project()
    after = county.get(sent.headers["location"])
    assert "已上报汇总表" in after.text
    assert "待审核" in after.text
    assert "1,200.50 元" in after.text
    assert "填报本县（区）情况汇总表" not in after.text  # awaiting review: not again

    review = city.get(f"/campaigns/{campaign}")
    assert "/summaries/350102/approve" in review.text
    no_reason = city.post(f"/campaigns/{campaign}/summaries/350102/return", data={"csrf_token": csrf(city)})
    assert no_reason.status_code == 422
    assert error_beside(no_reason.text, "return-350102") == "请填写退回原因（需要县级修改什么）"
    returned = city.post(
        f"/campaigns/{campaign}/summaries/350102/return", data={"csrf_token": csrf(city), "reason": "慰问金与台账不符"}
    )
    assert returned.status_code == 303
    pages.project()
    again = county.get(f"/campaigns/{campaign}")
    assert "上级已退回：慰问金与台账不符" in again.text
    assert (
        county.post(f"/campaigns/{campaign}/summaries/350102/approve", data={"csrf_token": csrf(county)}).status_code
        == 403
    )
    assert qian  # in the county's figures, not its township list


def test_the_ledger_filters_by_category_and_by_whom_and_refuses_a_region_outside_beside_the_filter(
    pages: Pages,
) -> None:
    zhao, qian = pages.person("赵建国"), pages.person("钱卫东", NEIGHBOURS)
    for person, category, assignee in ((zhao, "housing", WORKER), (qian, "medical", "s2")):
        pages.api("POST", "/requests", "350102001", "station_staff", json={
            "person_id": person, "category": category, "grade": "ordinary", "summary": "待办", "assignee": assignee,
        })  # fmt: skip
    pages.project()
    worker = pages.console.sign_in()
    every = worker.get("/requests")
    assert "赵建国" in every.text
    assert "钱卫东" in every.text
    medical = worker.get("/requests", params={"category": "medical"})
    assert "钱卫东" in medical.text
    assert "赵建国" not in medical.text
    mine = worker.get("/requests", params={"mine": "true"})
    assert "赵建国" in mine.text
    assert "钱卫东" not in mine.text
    outside = worker.get("/requests", params={"region": "350103"})
    assert outside.status_code == 403
    assert "只能查询本辖区" in (error_beside(outside.text, "f-region") or "")
    assert "赵建国" not in outside.text
    auditor = pages.console.sign_in(role="auditor", region="35")
    assert auditor.get("/pairings/unpaired").status_code == 403
    assert auditor.get("/requests/new", params={"person_id": zhao}).status_code == 403
