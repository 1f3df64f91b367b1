"""Scenario through HTTP, with a fixed clock: the Lishui 八一 drive of 2022 (丽水市“八一”建军节退役军人大走访).

The city plans it on 15 July (plan due 23 July, visits due 1 August, report due 2 August) for the unemployed,
those living in difficulty, the widowed or alone, and everyone aged 80 or over; launching freezes the list, so a
veteran registered afterwards is not on it. Counties visit; people living elsewhere are reached by phone, video or
WeChat. 莲都 and 青田 report by 2 August, 缙云 does not and shows as overdue on 3 August; the city returns 青田's
table, 青田 corrects it, the city approves, and the city's and the province's roll-ups add the counties up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from pymongo import AsyncMongoClient

from outreach.application import OutreachApplication
from outreach.application.campaigns import campaign_policies
from outreach.projections import OutreachProjection
from outreach.service import definition
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.domain import FixedClock
from vet_common.people import people_replica
from vet_common.projector import Projector
from vet_common.settings import Settings
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration

LISHUI, LIANDU, QINGTIAN, JINYUN = "3311", "331102", "331121", "331122"
ZHEJIANG = "33"
# name in the test -> (village, facts)
PEOPLE: dict[str, tuple[str, dict[str, Any]]] = {
    "laid_off": ("331102001001", {"key_contact_reasons": ["unemployed"]}),
    "hard_up": ("331102002001", {"key_contact_reasons": ["living_in_difficulty"]}),
    "elder_84": ("331102001002", {"birth_year": 1938, "key_contact_reasons": ["aged_80_or_over"]}),
    "neighbour": ("331102001001", {}),
    "widower": ("331121001001", {"key_contact_reasons": ["widowed_orphaned_alone"]}),
    "elder_away": ("331121101001", {"birth_year": 1942}),  # 80 in 2022, lives with his children in Shanghai
    "aged_79": ("331121101001", {"birth_year": 1943}),
    "jinyun_laid_off": ("331122001001", {"key_contact_reasons": ["unemployed"]}),
    "hangzhou_laid_off": ("330102001001", {"key_contact_reasons": ["unemployed"]}),  # not in Lishui
}
IDS = {name: f"c3d8b5a2-0000-4000-8000-{n:012d}" for n, name in enumerate([*PEOPLE, "registered_later"], 1)}
DRIVE = {
    "name": "2022年“八一”建军节退役军人大走访",
    "occasion": "八一",
    "region": LISHUI,
    "targets": {
        "groups": [
            {"code": "unemployed", "key_contact_reasons": ["unemployed"]},
            {"code": "in_difficulty", "key_contact_reasons": ["living_in_difficulty"]},
            {"code": "widowed_or_alone", "key_contact_reasons": ["widowed_orphaned_alone"]},
            {"code": "aged_80_plus", "min_age": 80, "age_on": "2022-08-01"},
        ]
    },
    "deadlines": {"plan": "2022-07-23", "visits": "2022-08-01", "report": "2022-08-02"},
}


class Drive:
    """Outreach's API with read models, a fixed clock, the registry's feed and the projector run by the test."""

    def __init__(self, client: TestClient, settings: Settings, mongo_url: str, clock: FixedClock) -> None:
        self.client = client
        self.settings = settings
        self.mongo_url = mongo_url
        self.clock = clock
        self.feed = RegistryFeed(occurred_at=datetime(2022, 1, 1, tzinfo=UTC))  # registered before the 2022 drive
        self.reactions = people_replica | campaign_policies

    @property
    def app(self) -> OutreachApplication:
        return self.client.app.state.application  # type: ignore[attr-defined,no-any-return]

    def headers(self, region: str, role: str = "officer") -> dict[str, str]:
        token = issue_token(self.settings, sub=f"staff-{region}", name="蔡跃新", roles=[role], region=region)
        return {"Authorization": f"Bearer {token}"}

    def register(self, name: str, village: str, **facts: Any) -> None:
        self.reactions.process(self.app, self.feed.registered(IDS[name], village, **facts))

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

    def post(self, path: str, body: dict[str, Any], region: str, role: str = "officer") -> Any:
        return self.client.post(path, json=body, headers=self.headers(region, role))

    def get(self, path: str, caller: str, **params: str) -> Any:
        response = self.client.get(path, params=params, headers=self.headers(caller))
        assert response.status_code == 200, response.text
        return response.json()

    def visit(self, name: str, method: str, campaign_id: str, on: str = "2022-07-28") -> Any:
        body = {"person_id": IDS[name], "method": method, "date": on, "occasion": "八一", "campaign_id": campaign_id}
        village = PEOPLE[name][0] if name in PEOPLE else "331102001001"
        return self.post("/contacts", body, village[:9], role="station_staff")

    def drop(self) -> None:
        async def drop() -> None:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url)
            try:
                await client.drop_database(self.settings.read_model_db_name)
            finally:
                await client.close()

        asyncio.run(drop())


@pytest.fixture
def drive(tmp_path: Path, mongo_url: str) -> Iterator[Drive]:
    settings = Settings.for_service(
        "outreach", data_dir=tmp_path, mongo_url=mongo_url, read_model_db=f"t_{uuid4().hex[:8]}"
    )
    clock = FixedClock(date(2022, 7, 15))
    with TestClient(create_api(definition, settings, clock=clock)) as client:
        scenario = Drive(client, settings, mongo_url, clock)
        try:
            yield scenario
        finally:
            scenario.drop()


def table(money_yuan: int, **visited: int) -> dict[str, Any]:
    return {
        "visited_by_group": visited,
        "money_fen": money_yuan * 100,
        "goods_fen": money_yuan * 50,
        "problems_found": 3,
        "problems_solved": 2,
    }


def test_the_lishui_bayi_drive_of_2022(drive: Drive) -> None:
    for name, (village, facts) in PEOPLE.items():
        drive.register(name, village, **facts)
    drive.project()

    # 15 July: the city plans the drive. A county cannot plan one for the city; deadlines must be in order.
    assert drive.post("/campaigns", DRIVE, LIANDU).status_code == 403
    disordered = {**DRIVE, "deadlines": {"plan": "2022-07-23", "visits": "2022-08-01", "report": "2022-07-30"}}
    refused = drive.post("/campaigns", disordered, LISHUI)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "deadlines.report"
    created = drive.post("/campaigns", DRIVE, LISHUI)
    assert created.status_code == 201, created.text
    campaign = created.json()["id"]

    # 16 July: launched; the list is frozen from the people outreach knows in Lishui now.
    drive.clock.set(date(2022, 7, 16))
    launched = drive.post(f"/campaigns/{campaign}/launch", {}, LISHUI)
    assert launched.status_code == 200, launched.text
    assert launched.json()["target_count"] == 6
    assert launched.json()["by_group"] == {
        "unemployed": 2,
        "in_difficulty": 1,
        "widowed_or_alone": 1,
        "aged_80_plus": 2,
    }
    assert launched.json()["by_county"] == {LIANDU: 3, QINGTIAN: 2, JINYUN: 1}
    assert drive.post(f"/campaigns/{campaign}/launch", {}, LISHUI).status_code == 409
    drive.register("registered_later", "331102001001", key_contact_reasons=["unemployed"])

    # Visits by 1 August: at home, at a meeting, and by phone, video and WeChat for those living elsewhere.
    drive.clock.set(date(2022, 7, 28))  # the day of the visits: a contact is never dated after today
    for name, method in (
        ("laid_off", "home_visit"),
        ("elder_84", "home_visit"),
        ("hard_up", "phone"),
        ("widower", "meeting"),
        ("elder_away", "video"),
        ("elder_away", "wechat"),
    ):
        response = drive.visit(name, method, campaign)
        assert response.status_code == 201, response.text
    late_joiner = drive.visit("registered_later", "home_visit", campaign)
    assert late_joiner.status_code == 422
    assert late_joiner.json()["detail"][0]["field"] == "campaign_id"
    assert drive.visit("neighbour", "home_visit", campaign).status_code == 422
    drive.project()

    city = drive.get(f"/campaigns/{campaign}/progress", LISHUI)
    assert (city["targets"], city["reached_in_person"], city["reached_remotely"], city["not_reached"]) == (6, 3, 2, 1)
    assert [
        (r["region"], r["targets"], r["reached_in_person"], r["reached_remotely"], r["not_reached"])
        for r in city["regions"]
    ] == [
        (LIANDU, 3, 2, 1, 0),
        (QINGTIAN, 2, 1, 1, 0),
        (JINYUN, 1, 0, 0, 1),
    ]
    # Who is still to be reached, township by township, a page at a time.
    waiting = drive.get(f"/campaigns/{campaign}/targets", JINYUN, region="331122001", reach="not_reached")
    assert [t["person_id"] for t in waiting["targets"]] == [IDS["jinyun_laid_off"]]
    first = drive.get(f"/campaigns/{campaign}/targets", LIANDU, region="331102001", limit="1")
    second = drive.get(f"/campaigns/{campaign}/targets", LIANDU, region="331102001", limit="1", after=first["next"])
    assert {first["targets"][0]["person_id"], second["targets"][0]["person_id"]} == {IDS["laid_off"], IDS["elder_84"]}
    assert second["next"] is None
    coarse = drive.client.get(
        f"/campaigns/{campaign}/targets", params={"region": LIANDU}, headers=drive.headers(LIANDU)
    )
    assert coarse.status_code == 422
    assert coarse.json()["detail"][0]["field"] == "region"

    # A county sees its own figures (and its townships'), not the city's.
    liandu = drive.get(f"/campaigns/{campaign}/progress", LIANDU)
    assert (liandu["region"], liandu["targets"], len(liandu["regions"])) == (LIANDU, 3, 2)
    assert (
        drive.client.get(
            f"/campaigns/{campaign}/progress", params={"region": LISHUI}, headers=drive.headers(LIANDU)
        ).status_code
        == 403
    )

    # 2 August, the report deadline: 莲都 and 青田 report; 缙云 does not.
    drive.clock.set(date(2022, 8, 2))
    summaries = f"/campaigns/{campaign}/summaries"
    assert (
        drive.post(
            summaries, {"county": LIANDU, **table(3000, unemployed=1, in_difficulty=1, aged_80_plus=1)}, LIANDU
        ).status_code
        == 200
    )
    assert drive.post(summaries, {"county": QINGTIAN, **table(2000, widowed_or_alone=1)}, QINGTIAN).status_code == 200
    drive.project()
    on_the_day = drive.get(summaries, LISHUI)
    assert [(c["county"], c["status"], c["overdue"]) for c in on_the_day["counties"]] == [
        (LIANDU, "submitted", False),
        (QINGTIAN, "submitted", False),
        (JINYUN, "missing", False),  # not overdue on the deadline itself
    ]

    # 3 August: 缙云 is overdue. The city returns 青田's table (the elder reached by video is missing), 青田
    # corrects it (late now), and the city approves both.
    drive.clock.set(date(2022, 8, 3))
    drive.project()
    next_day = drive.get(summaries, LISHUI)
    assert [(c["county"], c["overdue"]) for c in next_day["counties"]] == [
        (LIANDU, False),
        (QINGTIAN, False),
        (JINYUN, True),
    ]
    assert next_day["roll_up"]["counties"]["overdue"] == 1
    returned = drive.post(f"{summaries}/{QINGTIAN}/return", {"reason": "80岁以上对象漏报一人"}, LISHUI)
    assert returned.json()["status"] == "returned"
    drive.project()
    awaiting_correction = drive.get(summaries, LISHUI)["counties"]
    assert [(c["county"], c["status"], c["overdue"]) for c in awaiting_correction][1] == (QINGTIAN, "returned", True)
    assert drive.post(f"{summaries}/{LIANDU}/approve", {}, LIANDU).status_code == 403  # not its own
    corrected = drive.post(summaries, {"county": QINGTIAN, **table(2000, widowed_or_alone=1, aged_80_plus=1)}, QINGTIAN)
    assert (corrected.json()["status"], corrected.json()["late"]) == ("submitted", True)
    for county in (LIANDU, QINGTIAN):
        assert drive.post(f"{summaries}/{county}/approve", {}, LISHUI).json()["status"] == "approved"
    drive.project()

    roll_up = drive.get(summaries, LISHUI)["roll_up"]
    assert roll_up["visited_by_group"] == {
        "unemployed": 1,
        "in_difficulty": 1,
        "aged_80_plus": 2,
        "widowed_or_alone": 1,
    }
    assert (roll_up["money_fen"], roll_up["goods_fen"]) == (500_000, 250_000)
    assert (roll_up["problems_found"], roll_up["problems_solved"]) == (6, 4)
    assert roll_up["counties"] == {"missing": 1, "submitted": 0, "approved": 2, "returned": 0, "overdue": 1}
    province = drive.get(summaries, ZHEJIANG)
    assert province["roll_up"]["money_fen"] == 500_000
    assert [c["county"] for c in province["counties"]] == [LIANDU, QINGTIAN, JINYUN]
    # The province's officer sees the city's campaign; a county of another city does not.
    assert drive.client.get(f"/campaigns/{campaign}", headers=drive.headers("330102")).status_code == 404
