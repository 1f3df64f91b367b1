"""The campaigns API's contract without read models: who may plan a campaign, and input that cannot be right is
refused on its field with nothing recorded."""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from outreach.service import definition
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.domain import FixedClock
from vet_common.settings import Settings

DRIVE: dict[str, Any] = {
    "name": "八一走访",
    "occasion": "八一",
    "region": "3311",
    "targets": {"groups": [{"code": "aged_80_plus", "min_age": 80, "age_on": "2022-08-01"}]},
    "deadlines": {"plan": "2022-07-23", "visits": "2022-08-01", "report": "2022-08-02"},
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.for_service("outreach", data_dir=tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_api(definition, settings, clock=FixedClock(date(2022, 7, 15)))) as test_client:
        yield test_client


def auth(settings: Settings, region: str = "3311", role: str = "officer") -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(settings, sub="o1", name="何建东", roles=[role], region=region)}


def recorded(client: TestClient) -> int:
    return client.app.state.application.process_recorder.max_notification_id() or 0  # type: ignore[attr-defined,no-any-return]


def drive(path: str, value: Any) -> dict[str, Any]:
    """DRIVE with the value at a dotted path (numbers index lists) replaced."""
    body = deepcopy(DRIVE)
    *parents, last = path.split(".")
    node: Any = body
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    return body


def test_a_planned_campaign_reads_back_for_the_city_and_its_counties(client: TestClient, settings: Settings) -> None:
    created = client.post("/campaigns", json=DRIVE, headers=auth(settings))
    assert created.status_code == 201, created.text
    path = f"/campaigns/{created.json()['id']}"
    read = client.get(path, headers=auth(settings, "331102", "station_staff")).json()
    assert (read["status"], read["region"], read["frozen"]) == ("planned", "3311", False)
    assert read["deadlines"] == DRIVE["deadlines"]
    assert client.get(path, headers=auth(settings, "3301")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (drive("deadlines.visits", "2022-07-01"), "deadlines.visits"),
        (drive("deadlines.report", "2022-07-31"), "deadlines.report"),
        (drive("targets.groups", []), "targets.groups"),
        (drive("targets.groups.0.min_age", None), "targets.groups[aged_80_plus].age_on"),
        (
            drive("targets.groups.0", {"code": "x", "key_contact_reasons": ["rich"]}),
            "targets.groups[x].key_contact_reasons",
        ),
        (drive("targets.groups.0", {"code": "x", "households": ["城镇"]}), "targets.groups[x].households"),
        (drive("targets.groups.0", {"code": "nobody"}), "targets.groups[nobody]"),
        (drive("region", "9999"), "region"),
        (drive("name", ""), "name"),
        (drive("deadlines.plan", "23/07/2022"), "deadlines.plan"),
    ],
)
def test_a_campaign_that_cannot_be_right_is_422_on_its_field_and_records_nothing(
    client: TestClient, settings: Settings, body: dict[str, Any], field: str
) -> None:
    before = recorded(client)
    response = client.post("/campaigns", json=body, headers=auth(settings))
    assert response.status_code == 422, response.text
    assert field in [problem["field"] for problem in response.json()["detail"]]
    assert recorded(client) == before


@pytest.mark.parametrize(("region", "role"), [("331102", "officer"), ("3311", "station_staff")])
def test_only_an_officer_of_the_region_or_above_plans_a_campaign(
    client: TestClient, settings: Settings, region: str, role: str
) -> None:
    before = recorded(client)
    assert client.post("/campaigns", json=DRIVE, headers=auth(settings, region, role)).status_code == 403
    assert recorded(client) == before


def test_a_campaign_of_another_city_is_unknown_on_every_route_and_nothing_is_recorded(
    client: TestClient, settings: Settings
) -> None:
    created = client.post("/campaigns", json=DRIVE, headers=auth(settings))
    assert created.status_code == 201, created.text
    path = f"/campaigns/{created.json()['id']}"
    hangzhou = auth(settings, "3301")
    before = recorded(client)
    calls = [
        ("GET", path, {}),
        ("POST", f"{path}/launch", {}),
        ("GET", f"{path}/progress", {}),
        ("GET", f"{path}/targets?region=330102001", {}),
        ("GET", f"{path}/summaries", {}),
        ("POST", f"{path}/summaries", {"county": "330102", "visited_by_group": {}, "money_fen": 0, "goods_fen": 0,
                                       "problems_found": 0, "problems_solved": 0}),
        ("POST", f"{path}/summaries/330102/approve", {}),
        ("POST", f"{path}/summaries/330102/return", {"reason": "请核对"}),
    ]  # fmt: skip
    for method, url, body in calls:
        response = client.request(method, url, json=body, headers=hangzhou)
        assert response.status_code == 404, (method, url, response.text)
    assert recorded(client) == before
