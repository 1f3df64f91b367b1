"""The request ledger over HTTP with a fixed clock and real read models: the contract of each route, the lists and
their filters, the person's transfer, and two scenarios: the Zhuhai petitioner visited 13 times (2020) and an
overdue request escalated by the daily run."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from outreach.application import OutreachApplication
from outreach.jobs.requests import daily_escalation
from outreach.projections import OutreachProjection
from outreach.service import definition, reactions
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.domain import FixedClock
from vet_common.projector import Projector
from vet_common.relay import InMemoryPublisher, Relay
from vet_common.settings import Settings
from vet_contracts import IntegrationEvent
from vet_devtools.testing import OneRound
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration

PETITIONER = "5b1e0c8e-7a43-4f0e-9d3c-2a6f1b4c8d01"
NEIGHBOUR = "5b1e0c8e-7a43-4f0e-9d3c-2a6f1b4c8d02"
VILLAGE = "440402001001"  # 珠海市香洲区翠香街道
STATION = "440402001"
DISTRICT = "440402"  # 香洲区
OTHER_VILLAGE = "440403001001"  # 斗门区白藤街道


class Ledger:
    """Outreach's API with read models, its clock, and the registry's events as its worker would consume them."""

    def __init__(self, client: TestClient, settings: Settings, mongo_url: str, clock: FixedClock) -> None:
        self.client = client
        self.settings = settings
        self.mongo_url = mongo_url
        self.clock = clock
        self.feed = RegistryFeed()

    @property
    def app(self) -> OutreachApplication:
        return self.client.app.state.application  # type: ignore[attr-defined,no-any-return]

    def headers(self, region: str = STATION, role: str = "station_staff", sub: str = "staff-1", **more: str) -> Any:
        token = issue_token(self.settings, sub=sub, name="王芳", roles=[role], region=region)
        return {"Authorization": f"Bearer {token}", **more}

    def consume(self, event: IntegrationEvent) -> None:
        reactions.process(self.app, event)

    def recorded(self) -> int:
        return self.app.process_recorder.max_notification_id() or 0

    def post(self, path: str, body: dict[str, Any], headers: Any = None, status: int = 200) -> Any:
        response = self.client.post(path, json=body, headers=headers or self.headers())
        assert response.status_code == status, response.text
        return response.json()

    def get(self, path: str, headers: Any = None, **params: Any) -> Any:
        response = self.client.get(path, headers=headers or self.headers(), params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def visit(self, person_id: str, on: date, method: str = "home_visit", findings: str = "") -> str:
        body = {"person_id": person_id, "method": method, "date": on.isoformat(), "findings": findings}
        return str(self.post("/contacts", body, status=201)["id"])

    def register(self, person_id: str = PETITIONER, **overrides: Any) -> str:
        body = {"person_id": person_id, "category": "living_difficulty", "grade": "ordinary", "summary": "生活困难"}
        return str(self.post("/requests", body | overrides, status=201)["id"])

    def published(self) -> list[IntegrationEvent]:
        publisher = InMemoryPublisher()
        relay = Relay(self.app, definition.translator_factory(self.app), publisher, "vet.outreach.v1")

        async def drain() -> None:
            while await relay.run_once():
                pass

        asyncio.run(drain())
        return [event for events in publisher.published.values() for event in events]

    def with_db(self, work: Any) -> Any:
        async def run() -> Any:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                return await work(client[self.settings.read_model_db_name])
            finally:
                await client.close()

        return asyncio.run(run())

    def project(self) -> int:
        async def catch_up(db: Any) -> int:
            projection = OutreachProjection(self.app)
            await projection.setup(db)
            projector = Projector(self.app, db, projection)
            total = 0
            while count := await projector.run_once():
                total += count
            return total

        return int(self.with_db(catch_up))

    def run_daily_job_once(self) -> None:
        """One round of the worker's daily escalation, as its leader runs it."""

        self.with_db(lambda db: daily_escalation(self.app, db, self.settings, OneRound()))  # type: ignore[arg-type]


@pytest.fixture
def ledger(tmp_path: Path, mongo_url: str) -> Iterator[Ledger]:
    settings = Settings.for_service(
        "outreach", data_dir=tmp_path, mongo_url=mongo_url, read_model_db=f"t_{uuid4().hex[:8]}"
    )
    clock = FixedClock(date(2020, 3, 2))
    with TestClient(create_api(definition, settings, clock=clock)) as client:
        ledger = Ledger(client, settings, mongo_url, clock)
        for person_id in (PETITIONER, NEIGHBOUR):  # registered well before the visits of 2020
            registered = ledger.feed.registered(person_id, VILLAGE)
            ledger.consume(registered.model_copy(update={"occurred_at": datetime(2019, 1, 1, tzinfo=UTC)}))
        try:
            yield ledger
        finally:
            ledger.with_db(lambda db: db.client.drop_database(db.name))


# The contract of each route ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "lottery"}, "category"),
        ({"grade": "whenever"}, "grade"),
        ({"summary": ""}, "summary"),
        ({"person_id": "nobody"}, "person_id"),
        ({"found_in": "00000000-0000-4000-8000-000000000009"}, "found_in"),  # no such contact
    ],
)
def test_a_request_that_cannot_be_right_is_422_on_its_field_and_records_nothing(
    ledger: Ledger, overrides: dict[str, Any], field: str
) -> None:
    before = ledger.recorded()
    body = {"person_id": PETITIONER, "category": "medical", "grade": "urgent", "summary": "住院费用"} | overrides
    response = ledger.client.post("/requests", json=body, headers=ledger.headers())
    assert response.status_code == 422, response.text
    assert field in [problem["field"] for problem in response.json()["detail"]]
    assert ledger.recorded() == before


def test_a_one_step_contact_and_request_that_cannot_be_right_records_neither(ledger: Ledger) -> None:
    before = ledger.recorded()
    body = {
        "contact": {"person_id": PETITIONER, "method": "phone", "date": "2020-03-02"},
        "request": {"category": "medical", "grade": "soon", "summary": "住院"},
    }
    response = ledger.client.post("/requests/with-contact", json=body, headers=ledger.headers())
    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == ["request.grade"]
    assert ledger.recorded() == before


def test_a_step_out_of_order_is_409_saying_why_and_a_stale_one_412(ledger: Ledger) -> None:
    request_id = ledger.register()
    before = ledger.recorded()
    response = ledger.client.post(f"/requests/{request_id}/resolve", json={"what_was_done": "已解决"},
                                  headers=ledger.headers())  # fmt: skip
    assert response.status_code == 409
    assert response.json()["detail"].startswith("该诉求当前为“已登记”，只有“办理中”的诉求才能标记为已化解")
    assert ledger.recorded() == before
    read = ledger.client.get(f"/requests/{request_id}", headers=ledger.headers())
    assert read.headers["ETag"] == '"1"'
    ledger.post(f"/requests/{request_id}/accept", {}, ledger.headers(**{"If-Match": '"1"'}))
    before = ledger.recorded()
    stale = ledger.client.post(f"/requests/{request_id}/start", json={}, headers=ledger.headers(**{"If-Match": '"1"'}))
    assert stale.status_code == 412
    assert stale.json()["version"] == 2
    assert ledger.recorded() == before


def test_only_officers_escalate_by_hand(ledger: Ledger) -> None:
    request_id = ledger.register()
    before = ledger.recorded()
    response = ledger.client.post(f"/requests/{request_id}/escalate", json={"reason": "久拖"}, headers=ledger.headers())
    assert response.status_code == 403
    assert ledger.recorded() == before
    officer = ledger.headers(DISTRICT, "officer", "officer-1")
    escalated = ledger.post(f"/requests/{request_id}/escalate", {"reason": "群众反映强烈"}, officer)
    assert escalated["supervised_by"] == "440402"
    assert escalated["history"][-1]["by"] == "officer-1"


def test_the_lists_filter_by_status_category_assignee_and_overdue_a_page_at_a_time(ledger: Ledger) -> None:
    medical = ledger.register(category="medical", grade="urgent")  # deadline 5 March
    housing = ledger.register(category="housing", assignee="staff-2")  # 1 April
    petition = ledger.register(NEIGHBOUR, category="petition")  # 1 May
    ledger.post(f"/requests/{housing}/accept", {})
    ledger.clock.set(date(2020, 3, 10))
    ledger.project()

    def ids(**params: Any) -> list[str]:
        return [row["id"] for row in ledger.get("/requests", **params)["items"]]

    assert ids() == [medical, housing, petition]  # open ones, soonest deadline first
    assert ids(status="accepted") == [housing]
    assert ids(category="petition") == [petition]
    assert ids(assignee="staff-2") == [housing]
    assert ids(overdue="true") == [medical]
    assert [row["overdue"] for row in ledger.get("/requests")["items"]] == [True, False, False]
    assert ids(overdue="false") == [housing, petition]
    assert ids(status="closed") == []
    assert ids(region=VILLAGE) == [medical, housing, petition]
    assert ids(region="440402001002") == []  # another village of the station
    first = ledger.get("/requests", page_size=2)
    assert [row["id"] for row in first["items"]] == [medical, housing]
    assert ids(page_size=2, after=first["next"]) == [petition]
    assert ledger.get("/requests", page_size=2, after=first["next"])["next"] is None
    assert [row["id"] for row in ledger.get(f"/persons/{NEIGHBOUR}/requests")] == [petition]
    # Another district sees none of them, and may not ask for this one's.
    other = ledger.headers("440403001")
    assert ledger.get("/requests", headers=other)["items"] == []
    assert ledger.client.get("/requests", params={"region": DISTRICT}, headers=other).status_code == 403
    assert ledger.client.get(f"/requests/{medical}", headers=other).status_code == 404
    assert ledger.client.get(f"/persons/{NEIGHBOUR}/requests", headers=other).status_code == 404
    for field, value in (("after", "garbage"), ("closed_in", "2020-13")):
        bad = ledger.client.get("/requests", params={field: value}, headers=ledger.headers())
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["field"] == field


def test_a_transfer_takes_open_requests_to_the_receiving_side(ledger: Ledger) -> None:
    request_id = ledger.register()
    moved = ledger.feed.transferred(PETITIONER, OTHER_VILLAGE)
    ledger.consume(moved)
    ledger.consume(moved)  # redelivered: moved once
    ledger.project()
    receiving = ledger.headers("440403001")
    assert ledger.client.get(f"/requests/{request_id}", headers=ledger.headers()).status_code == 404
    read = ledger.get(f"/requests/{request_id}", receiving)
    assert (read["region"], read["responsible_region"], read["assignee"]) == (OTHER_VILLAGE, "440403001", None)
    assert [step["step"] for step in read["history"]] == ["registered", "moved"]
    assert [row["id"] for row in ledger.get("/requests", receiving)["items"]] == [request_id]
    assert ledger.get("/requests")["items"] == []
    assigned = ledger.post(f"/requests/{request_id}/assign", {"assignee": "lin"}, receiving)
    assert assigned["assignee"] == "lin"


def test_a_death_keeps_open_requests_listed_marked(ledger: Ledger) -> None:
    request_id = ledger.register()
    died = ledger.feed.died(PETITIONER)
    ledger.consume(died)
    ledger.consume(died)
    ledger.project()
    (row,) = ledger.get("/requests")["items"]
    assert (row["id"], row["person_deceased"]) == (request_id, True)
    closed = ledger.post(f"/requests/{request_id}/close", {"reason": "家属表示无其他诉求"})
    assert (closed["status"], closed["person_deceased"]) == ("closed", True)
    assert [e.type for e in ledger.published()][-1] == "RequestClosed"


def test_a_provincial_officer_changes_the_deadline_table(ledger: Ledger) -> None:
    table = ledger.client.get("/request-deadlines", headers=ledger.headers())
    assert (table.headers["ETag"], table.json()["days"]["petition"]["ordinary"]) == ('"0"', 60)
    body = table.json() | {"reason": "省厅通知：信访事项30日内办结"}
    body["days"]["petition"]["ordinary"] = 30
    province = ledger.headers("44", "officer", "province-1", **{"If-Match": '"0"'})
    assert ledger.client.put("/request-deadlines", json=body, headers=ledger.headers()).status_code == 403
    changed = ledger.client.put("/request-deadlines", json=body, headers=province)
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"1"'
    request_id = ledger.register(category="petition")
    assert ledger.get(f"/requests/{request_id}")["deadline"] == "2020-04-01"
    assert ledger.client.put("/request-deadlines", json=body, headers=province).status_code == 412


# Scenarios ---------------------------------------------------------------------------------------------------------


def test_the_zhuhai_petitioner_visited_13_times_until_resolved_and_closed_by_the_follow_up_visit(
    ledger: Ledger,
) -> None:
    """Zhuhai 2020: a veteran who had petitioned higher levels since 2017 was made a key contact and visited 13
    times; policy was explained, work found for him and his wife; the petition was resolved (化解)."""
    station = ledger.headers()
    # The first visit finds what he needs: recorded with the request in one step.
    opened = ledger.post("/requests/with-contact", {
        "contact": {"person_id": PETITIONER, "method": "home_visit", "date": "2020-03-02",
                    "findings": "多次上访，对身份认定政策不了解，再就业困难"},
        "request": {"category": "petition", "grade": "ordinary", "summary": "身份认定与就业诉求"},
    }, station, status=201)  # fmt: skip
    first, request_id = opened["contact_id"], opened["request_id"]
    assert ledger.get(f"/contacts/{first}")["needs_follow_up"] is True
    district = ledger.headers(DISTRICT, "officer", "officer-1")
    accepted = ledger.post(f"/requests/{request_id}/accept",
                           {"department": "香洲区退役军人事务局", "assignee": "officer-1", "note": "信访事项受理"},
                           ledger.headers(DISTRICT, "officer", "officer-1", **{"If-Match": '"1"'}))  # fmt: skip
    assert accepted["deadline"] == "2020-05-01"  # 60 days for a petition
    for visit in range(2, 14):  # visits 2 to 13: policy explained at home, in a talk, by phone; jobs found
        ledger.clock.set(date(2020, 3, 2) + timedelta(days=(visit - 1) * 4))
        method = ("home_visit", "meeting", "phone")[visit % 3]
        contact = ledger.visit(PETITIONER, ledger.clock.today(), method)
        ledger.post(f"/requests/{request_id}/progress", {"note": f"第{visit}次走访", "contact_id": contact}, station)
    resolved = ledger.post(f"/requests/{request_id}/resolve",
                           {"what_was_done": "讲透政策；协调企业帮助其再就业，其妻就近就业"}, district)  # fmt: skip
    assert (resolved["status"], resolved["overdue"], len(resolved["visits"])) == ("resolved", False, 13)
    ledger.clock.set(date(2020, 5, 20))
    follow_up = ledger.visit(PETITIONER, ledger.clock.today())
    closed = ledger.post(f"/requests/{request_id}/follow-up",
                         {"satisfaction": "satisfied", "contact_id": follow_up, "note": "夫妻均已就业，不再上访"},
                         station)  # fmt: skip
    assert (closed["status"], closed["closed_on"], closed["satisfaction"]) == ("closed", "2020-05-20", "satisfied")
    assert closed["visits"][0] == first
    assert closed["visits"][-1] == follow_up
    assert len(closed["visits"]) == 14
    steps = [step["step"] for step in closed["history"]]
    assert steps == ["registered", "accepted"] + ["progress"] * 12 + ["resolved", "followed_up", "closed"]
    ledger.project()
    (row,) = ledger.get(f"/persons/{PETITIONER}/requests")
    assert (row["status"], row["visits"], row["category"]) == ("closed", 14, "petition")
    assert [r["id"] for r in ledger.get("/requests", status="closed", category="petition")["items"]] == [request_id]
    ledger.clock.set(date(2020, 6, 1))  # closed lists are by the month of closing: this month's by default
    assert ledger.get("/requests", status="closed")["items"] == []
    assert [r["id"] for r in ledger.get("/requests", status="closed", closed_in="2020-05")["items"]] == [request_id]
    assert ledger.get("/requests")["items"] == []
    published = [event for event in ledger.published() if event.type.startswith("Request")]
    assert [event.type for event in published] == [
        "RequestRegistered", "RequestAccepted", "RequestResolved", "RequestFollowedUp", "RequestClosed",
    ]  # fmt: skip
    assert published[0].data["found_in_contact_id"] == first
    assert all(event.region == VILLAGE for event in published)


def test_an_overdue_request_is_escalated_by_the_daily_run_once_a_day(ledger: Ledger) -> None:
    assert daily_escalation in definition.leader_tasks  # the leading worker runs it: one run a day, not one a worker
    request_id = ledger.register(category="medical", grade="urgent", summary="住院押金无力支付")  # due 5 March
    on_time = ledger.register(NEIGHBOUR, category="medical", grade="ordinary")  # due 17 March
    ledger.clock.set(date(2020, 3, 6))
    ledger.project()
    ledger.run_daily_job_once()
    ledger.run_daily_job_once()  # a second run the same day (a restart): nothing more
    ledger.project()
    read = ledger.get(f"/requests/{request_id}")
    assert (read["supervised_by"], read["escalation_level"], read["overdue"]) == (DISTRICT, 1, True)
    assert read["history"][-1] | {"on": None, "at": None} == {
        "step": "escalated", "on": None, "at": None, "by": "system",
        "note": "逾期自动督办 (overdue: escalated by the daily run)", "supervised_by": DISTRICT, "level": 1,
        "automatic": True,
    }  # fmt: skip
    assert ledger.get(f"/requests/{on_time}")["escalation_level"] == 0
    district = ledger.headers(DISTRICT, "officer", "officer-1")
    supervised = ledger.get("/requests", district, escalated="true")["items"]
    assert [row["id"] for row in supervised] == [request_id]
    escalated = [event for event in ledger.published() if event.type == "RequestEscalated"]
    assert [(event.data["supervised_by"], event.data["automatic"]) for event in escalated] == [(DISTRICT, True)]
    # The district's 3 days for an urgent one run out: the city supervises it.
    ledger.clock.set(date(2020, 3, 10))
    ledger.run_daily_job_once()
    ledger.project()
    assert ledger.get(f"/requests/{request_id}")["supervised_by"] == "4404"
    city = ledger.headers("4404", "officer", "city-1")
    assert [row["id"] for row in ledger.get("/requests", city, escalated="true")["items"]] == [request_id]
