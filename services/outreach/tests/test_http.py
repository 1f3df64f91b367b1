"""The outreach API's contract for pairings, contacts, the contact rules and the to-do list, over HTTP with a
fixed clock, read models on the MongoDB-wire server and the projector run by the test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from outreach.application import OutreachApplication
from outreach.projections import OutreachProjection
from outreach.service import definition, reactions
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.domain import FixedClock
from vet_common.projector import Projector
from vet_common.settings import Settings
from vet_contracts import IntegrationEvent
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration
A = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"
B = "7c0d3f4e-1a2b-4c5d-8e9f-0a1b2c3d4e5f"
TODAY = date(2026, 12, 1)


class Api:
    def __init__(self, client: TestClient, settings: Settings, mongo_url: str) -> None:
        self.client = client
        self.settings = settings
        self.mongo_url = mongo_url
        self.feed = RegistryFeed()

    @property
    def app(self) -> OutreachApplication:
        return self.client.app.state.application  # type: ignore[attr-defined,no-any-return]

    def deliver(self, event: IntegrationEvent) -> None:
        reactions.process(self.app, event)

    def headers(self, region: str = "350102", role: str = "station_staff", sub: str = "s1") -> dict[str, str]:
        token = issue_token(self.settings, sub=sub, name="李明", roles=[role], region=region)
        return {"Authorization": f"Bearer {token}"}

    def project(self) -> None:
        async def catch_up() -> None:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                db = client[self.settings.read_model_db_name]
                projection = OutreachProjection(self.app)
                await projection.setup(db)
                projector = Projector(self.app, db, projection)
                while await projector.run_once():
                    pass
            finally:
                await client.close()

        asyncio.run(catch_up())

    def recorded(self) -> int:
        return self.app.process_recorder.max_notification_id() or 0


@pytest.fixture
def api(tmp_path: Path, mongo_url: str) -> Iterator[Api]:
    settings = Settings.for_service(
        "outreach", data_dir=tmp_path, mongo_url=mongo_url, read_model_db=f"t_{uuid.uuid4().hex[:8]}"
    )
    with TestClient(create_api(definition, settings, clock=FixedClock(TODAY))) as client:
        api = Api(client, settings, mongo_url)
        api.deliver(api.feed.registered(A, "350102001001", key_contact_reasons=["serious_illness"]))
        api.deliver(api.feed.registered(B, "350102002001", key_contact_reasons=["martyr_survivor"]))
        yield api


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_pair_see_who_is_overdue_record_a_visit_and_a_call(api: Api) -> None:
    created = ok(api.client.post("/pairings", json={"staff": "s1", "person_ids": [A, B]}, headers=api.headers()), 201)
    assert len(created["ids"]) == 2
    api.project()
    caseload = ok(api.client.get("/staff/s1/caseload", headers=api.headers()))
    assert [item["person_id"] for item in caseload["items"]] == [A, B]
    listed = ok(api.client.get("/pairings", headers=api.headers()))
    assert sorted(item["person_id"] for item in listed["items"]) == [A, B]
    township = ok(api.client.get("/pairings", params={"region": "350102002"}, headers=api.headers()))
    assert [item["person_id"] for item in township["items"]] == [B]
    by_staff = ok(api.client.get("/pairings", params={"staff": "s1", "region": "350102001"}, headers=api.headers()))
    assert [item["person_id"] for item in by_staff["items"]] == [A]
    assert api.client.get("/pairings", params={"region": "350103"}, headers=api.headers()).status_code == 403
    overdue = ok(api.client.get("/contacts/overdue", headers=api.headers()))
    assert [(i["person_id"], i["days_overdue"], i["staff"]) for i in overdue["items"]] == [(A, 32, "s1"), (B, 32, "s1")]
    ok(
        api.client.post(
            "/contacts", json={"person_id": A, "method": "home_visit", "date": "2026-11-30"}, headers=api.headers()
        ),
        201,
    )
    ok(
        api.client.post(
            "/contacts", json={"person_id": B, "method": "phone", "date": "2026-12-01"}, headers=api.headers()
        ),
        201,
    )
    api.project()
    assert ok(api.client.get("/contacts/overdue", headers=api.headers()))["items"] == []
    due = ok(api.client.get("/contacts/due", params={"within_days": 90}, headers=api.headers()))
    assert [(i["person_id"], i["contact_due"]) for i in due["items"]] == [(B, "2027-03-01"), (A, "2027-02-28")][::-1]
    history = ok(api.client.get(f"/persons/{A}/contacts", headers=api.headers()))
    assert [(i["method"], i["date"]) for i in history["items"]] == [("home_visit", "2026-11-30")]
    schedule = ok(api.client.get(f"/persons/{B}/schedule", headers=api.headers()))
    assert (schedule["last_contact"], schedule["last_home_visit"], schedule["home_visit_due"]) == (
        "2026-12-01",
        None,
        "2027-08-01",
    )


def test_a_correction_and_a_withdrawal_keep_the_history_and_need_a_reason(api: Api) -> None:
    contact = ok(
        api.client.post(
            "/contacts", json={"person_id": A, "method": "phone", "date": "2026-11-20"}, headers=api.headers()
        ),
        201,
    )
    url = f"/contacts/{contact['id']}"
    before = api.recorded()
    missing = api.client.post(f"{url}/corrections", json={"method": "home_visit"}, headers=api.headers())
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["field"] == "reason"
    stale = api.client.post(
        f"{url}/corrections", json={"method": "video", "reason": "选错"}, headers={**api.headers(), "If-Match": '"5"'}
    )
    assert stale.status_code == 412
    assert api.recorded() == before
    corrected = ok(
        api.client.post(
            f"{url}/corrections",
            json={"method": "video", "reason": "选错了方式"},
            headers={**api.headers(), "If-Match": '"1"'},
        )
    )
    assert (corrected["method"], corrected["status"], corrected["version"]) == ("video", "corrected", 2)
    assert corrected["corrections"][0]["changes"] == {"method": "video"}
    withdrawn = ok(api.client.post(f"{url}/withdrawal", json={"reason": "重复录入"}, headers=api.headers()))
    assert (withdrawn["status"], withdrawn["withdrawal_reason"]) == ("withdrawn", "重复录入")
    again = api.client.post(f"{url}/withdrawal", json={"reason": "重复录入"}, headers=api.headers())
    assert again.status_code == 409
    api.project()
    history = ok(api.client.get(f"/persons/{A}/contacts", headers=api.headers()))
    assert [(i["method"], i["status"]) for i in history["items"]] == [("video", "withdrawn")]
    assert ok(api.client.get(f"/persons/{A}/schedule", headers=api.headers()))["last_contact"] is None


def test_a_group_meeting_is_one_post_and_a_bad_name_refuses_it_whole(api: Api) -> None:
    body = {"person_ids": [A, B], "method": "meeting", "date": "2026-11-28", "occasion": "座谈会"}
    group = ok(api.client.post("/contact-groups", json=body, headers=api.headers()), 201)
    assert len(group["ids"]) == 2
    one = ok(api.client.get(f"/contacts/{group['ids'][1]}", headers=api.headers()))
    assert (one["person_id"], one["group_id"]) == (B, group["group_id"])
    before = api.recorded()
    unknown = api.client.post(
        "/contact-groups", json={**body, "person_ids": [A, str(uuid.uuid4())]}, headers=api.headers()
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["field"] == "person_ids.1"
    future = api.client.post("/contact-groups", json={**body, "date": "2026-12-02"}, headers=api.headers())
    assert future.status_code == 422
    assert future.json()["detail"] == [
        {"field": "date", "message": "联系日期不能晚于今天 (the contact date cannot be in the future)"}
    ]
    assert api.recorded() == before


def test_an_officer_changes_the_rules_and_station_staff_cannot(api: Api) -> None:
    rules = api.client.get("/contact-rules", headers=api.headers())
    assert (rules.json()["version"], rules.headers["ETag"]) == (0, '"0"')
    body = {
        "entries": [
            {"region": "", "contact_days": 90, "home_visit_days": 365},
            {"region": "350102", "reason": "martyr_survivor", "contact_days": 30, "home_visit_days": 180},
        ],
        "severe_disability": {"contact_days": 30, "home_visit_days": 180},  # the province's, as it was
        "reason": "区局通知",
    }
    assert api.client.put("/contact-rules", json=body, headers=api.headers()).status_code == 403
    bad = api.client.put(
        "/contact-rules",
        json={**body, "entries": [{**body["entries"][1], "region": "3501x"}]},
        headers=api.headers(role="officer"),
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "entries.0.region"
    changed = ok(
        api.client.put("/contact-rules", json=body, headers={**api.headers(role="officer"), "If-Match": '"0"'})
    )
    assert changed["version"] == 1
    stale = api.client.put("/contact-rules", json=body, headers={**api.headers(role="officer"), "If-Match": '"0"'})
    assert stale.status_code == 412
    api.project()
    schedule = ok(api.client.get(f"/persons/{B}/schedule", headers=api.headers()))
    assert schedule["rule"] == {"version": 1, "contact_days": 30, "home_visit_days": 180}
    # The county changes only its own lines: another county's, everywhere's, or the disability setting is the
    # province's, refused with nothing recorded.
    county = {**api.headers(role="officer"), "If-Match": '"1"'}
    other = {"region": "350103", "reason": None, "contact_days": 60, "home_visit_days": 365}
    everywhere = {"region": "", "contact_days": 60, "home_visit_days": 365}
    before = api.app.process_recorder.max_notification_id()
    for changed in (
        {**body, "entries": [*body["entries"], other]},
        {**body, "entries": [everywhere, body["entries"][1]]},
        {**body, "severe_disability": None},
    ):
        refused = api.client.put("/contact-rules", json=changed, headers=county)
        assert refused.status_code == 403, refused.text
        assert "本辖区" in refused.json()["detail"]
    assert api.app.process_recorder.max_notification_id() == before
    province = {**api.headers("35", role="officer"), "If-Match": '"1"'}
    assert (
        ok(api.client.put("/contact-rules", json={**body, "severe_disability": None}, headers=province))["version"] == 2
    )


def test_after_a_transfer_the_old_side_answers_404_and_the_new_side_is_asked_to_pair(api: Api) -> None:
    (pairing,) = ok(api.client.post("/pairings", json={"staff": "s1", "person_id": A}, headers=api.headers()), 201)[
        "ids"
    ]
    api.deliver(api.feed.transferred(A, "350103001002"))
    api.project()
    assert api.client.get(f"/persons/{A}/schedule", headers=api.headers()).status_code == 404
    assert api.client.get(f"/persons/{A}/contacts", headers=api.headers()).status_code == 404
    assert ok(api.client.get(f"/pairings/{pairing}", headers=api.headers()))["end_reason"] == "transferred"
    proposals = ok(api.client.get("/pairings/proposals", headers=api.headers("350103")))
    assert [(p["person_id"], p["proposed_to"]) for p in proposals["items"]] == [(A, "350103")]
    assert ok(api.client.get("/contacts/overdue", headers=api.headers("350103")))["items"][0]["person_id"] == A
    assert api.client.get("/contacts/overdue", params={"region": "350103"}, headers=api.headers()).status_code == 403


def test_reassigning_and_ending_a_pairing(api: Api) -> None:
    (pairing,) = ok(api.client.post("/pairings", json={"staff": "s1", "person_id": A}, headers=api.headers()), 201)[
        "ids"
    ]
    twice = api.client.post("/pairings", json={"staff": "s2", "person_id": A}, headers=api.headers())
    assert twice.status_code == 422
    assert "改派" in twice.json()["detail"][0]["message"]
    (second,) = ok(api.client.post(f"/pairings/{pairing}/reassign", json={"staff": "s2"}, headers=api.headers()), 201)[
        "ids"
    ]
    ended = ok(api.client.post(f"/pairings/{second}/end", json={"reason": "staff_left"}, headers=api.headers()))
    assert (ended["status"], ended["end_reason"]) == ("ended", "staff_left")
    api.project()
    unpaired = ok(api.client.get("/pairings/unpaired", headers=api.headers()))
    assert [i["person_id"] for i in unpaired["items"]] == [A, B]
    assert ok(api.client.get("/pairings", params={"staff": "s2"}, headers=api.headers()))["items"] == []


def test_an_eligibility_alert_on_the_to_do_list_until_done(
    api: Api, eligibility_alert: Callable[..., IntegrationEvent]
) -> None:
    api.deliver(eligibility_alert(A, "350102001001", "turning_80", "2027-01-15"))
    api.project()
    (item,) = ok(api.client.get("/todo", headers=api.headers()))["items"]
    assert (item["kind"], item["due_on"]) == ("turning_80", "2027-01-15")
    assert api.client.post(f"/todo/{item['id']}/done", headers=api.headers("350103")).status_code == 404
    ok(api.client.post(f"/todo/{item['id']}/done", headers=api.headers()))
    api.project()
    assert ok(api.client.get("/todo", headers=api.headers()))["items"] == []


def test_a_to_do_item_follows_a_transfer_to_the_receiving_station(
    api: Api, eligibility_alert: Callable[..., IntegrationEvent]
) -> None:
    api.deliver(eligibility_alert(A, "350102001001", "turning_80", "2027-01-15"))
    api.deliver(api.feed.transferred(A, "350103001002"))
    api.project()
    assert ok(api.client.get("/todo", headers=api.headers()))["items"] == []
    (item,) = ok(api.client.get("/todo", headers=api.headers("350103")))["items"]
    assert (item["person_id"], item["region"]) == (A, "350103001002")
    assert api.client.post(f"/todo/{item['id']}/done", headers=api.headers()).status_code == 404
    assert ok(api.client.post(f"/todo/{item['id']}/done", headers=api.headers("350103")))["status"] == "done"


def test_a_pairing_body_naming_both_or_neither_and_a_pairing_outside_are_refused(api: Api) -> None:
    before = api.recorded()
    for body in ({"staff": "s1", "person_id": A, "person_ids": [B]}, {"staff": "s1"}):
        refused = api.client.post("/pairings", json=body, headers=api.headers())
        assert refused.status_code == 422, refused.text
        assert "person_id" in refused.json()["detail"][0]["message"]
    assert api.recorded() == before
    (pairing,) = ok(api.client.post("/pairings", json={"staff": "s1", "person_id": A}, headers=api.headers()), 201)[
        "ids"
    ]
    before = api.recorded()
    taijiang = api.headers("350103")
    assert api.client.get(f"/pairings/{pairing}", headers=taijiang).status_code == 404
    ended = api.client.post(f"/pairings/{pairing}/end", json={"reason": "other"}, headers=taijiang)
    assert ended.status_code == 404
    assert "不在本辖区" in ended.json()["detail"]
    assert api.client.post(f"/pairings/{pairing}/reassign", json={"staff": "s2"}, headers=taijiang).status_code == 404
    assert api.recorded() == before


def test_the_due_and_overdue_lists_of_a_township_and_a_region_outside_is_refused(api: Api) -> None:
    api.project()
    overdue = ok(api.client.get("/contacts/overdue", params={"region": "350102002"}, headers=api.headers()))
    assert [i["person_id"] for i in overdue["items"]] == [B]
    for person in (A, B):  # called today: due again in a quarter
        call = {"person_id": person, "method": "phone", "date": "2026-12-01"}
        ok(api.client.post("/contacts", json=call, headers=api.headers()), 201)
    api.project()
    due = ok(api.client.get("/contacts/due", params={"within_days": 90}, headers=api.headers()))
    assert sorted(i["person_id"] for i in due["items"]) == [A, B]
    township = ok(api.client.get("/contacts/due", params={"region": "350102002", "within_days": 90},
                                 headers=api.headers()))  # fmt: skip
    assert [i["person_id"] for i in township["items"]] == [B]
    outside = api.client.get("/contacts/due", params={"region": "350103"}, headers=api.headers())
    assert outside.status_code == 403


def fuzhou_drive_launched(api: Api) -> tuple[str, dict[str, str]]:
    """福州's new-year drive to martyrs' survivors (B alone), launched; its id and the city officer's headers."""
    city = api.headers("3501", role="officer")
    drive = {
        "name": "元旦走访",
        "occasion": "元旦",
        "region": "3501",
        "targets": {"groups": [{"code": "survivors", "key_contact_reasons": ["martyr_survivor"]}]},
        "deadlines": {"plan": "2026-12-05", "visits": "2026-12-20", "report": "2026-12-25"},
    }
    campaign = ok(api.client.post("/campaigns", json=drive, headers=city), 201)["id"]
    api.project()  # the launch selects from the people read model
    assert ok(api.client.post(f"/campaigns/{campaign}/launch", headers=city))["target_count"] == 1
    api.project()
    return campaign, city


def test_a_campaign_target_who_moves_is_the_receiving_countys_and_no_longer_the_old_sides(api: Api) -> None:
    campaign, city = fuzhou_drive_launched(api)

    def targets(caller: str, township: str) -> list[str]:
        page = ok(api.client.get(f"/campaigns/{campaign}/targets", params={"region": township},
                                 headers=api.headers(caller)))  # fmt: skip
        return [t["person_id"] for t in page["targets"]]

    assert targets("350102", "350102002") == [B]
    moved = api.feed.transferred(B, "350103001002")
    api.deliver(moved)
    api.deliver(moved)
    api.project()
    assert targets("350102", "350102002") == []
    assert targets("350103", "350103001") == [B]
    visit = {"person_id": B, "method": "home_visit", "date": "2026-12-01", "campaign_id": campaign}
    assert api.client.post("/contacts", json=visit, headers=api.headers()).status_code == 404
    ok(api.client.post("/contacts", json=visit, headers=api.headers("350103")), 201)
    api.project()
    rows = {r["region"]: r for r in ok(api.client.get(f"/campaigns/{campaign}/progress", headers=city))["regions"]}
    assert (rows["350103"]["targets"], rows["350103"]["reached_in_person"]) == (1, 1)
    assert rows.get("350102", {"targets": 0})["targets"] == 0
    # 鼓楼区 has no target left: it is not asked for a summary table (nor overdue without one); 台江区 is.
    tables = ok(api.client.get(f"/campaigns/{campaign}/summaries", headers=city))["counties"]
    assert [(t["county"], t["status"]) for t in tables] == [("350103", "missing")]
    # Then to 厦门 (3502), outside the campaign: 厦门 cannot see it, so its visit cannot name it. The campaign keeps
    # the target where it was visited (台江区, reached in person), and 台江区 still owes its table.
    api.deliver(api.feed.transferred(B, "350203001001"))
    api.project()
    xiamen = api.client.post("/contacts", json=visit, headers=api.headers("350203"))
    assert xiamen.status_code == 422
    assert xiamen.json()["detail"][0]["field"] == "campaign_id"
    rows = {r["region"]: r for r in ok(api.client.get(f"/campaigns/{campaign}/progress", headers=city))["regions"]}
    assert (rows["350103"]["targets"], rows["350103"]["reached_in_person"], rows["350103"]["moved_away"]) == (1, 1, 0)
    province = api.headers("35", role="officer")
    tables = ok(api.client.get(f"/campaigns/{campaign}/summaries", headers=province))["counties"]
    assert [(t["county"], t["status"]) for t in tables] == [("350103", "missing")]


def test_a_target_who_moves_out_of_the_campaign_unreached_counts_as_moved_away_where_they_lived(api: Api) -> None:
    campaign, city = fuzhou_drive_launched(api)
    moved = api.feed.transferred(B, "350203001001")  # to 厦门, outside the campaign's 福州
    api.deliver(moved)
    api.deliver(moved)
    api.project()
    progress = ok(api.client.get(f"/campaigns/{campaign}/progress", headers=city))
    county = {r["region"]: r for r in progress["regions"]}["350102"]
    figures = ("targets", "not_reached", "moved_away", "reached_in_person")
    assert tuple(progress[name] for name in figures) == (1, 0, 1, 0)
    assert tuple(county[name] for name in figures) == (1, 0, 1, 0)
    page = ok(api.client.get(f"/campaigns/{campaign}/targets", params={"region": "350102002", "reach": "moved_away"},
                             headers=api.headers("350102")))  # fmt: skip
    assert [(t["person_id"], t["reach"]) for t in page["targets"]] == [(B, "moved_away")]
