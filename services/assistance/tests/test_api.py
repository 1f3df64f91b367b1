"""Assistance API: funds belong to a jurisdiction; amounts are integer fen. Its worker keeps the people replica."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistance.application import AssistanceApplication
from assistance.service import definition
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.people import PersonReplica
from vet_common.settings import Settings
from vet_devtools.testing.people import RegistryFeed, in_memory


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.for_service("assistance", data_dir=tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_api(definition, settings)) as test_client:
        yield test_client


def auth(settings: Settings, region: str = "3501", role: str = "officer") -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(settings, sub="o1", name="陈军", roles=[role], region=region)}


def fund(**overrides: object) -> dict[str, object]:
    return {
        "name": "2026年解三难资金",
        "kind": "hardship_aid",
        "region": "350102",
        "year": 2026,
        "budget_fen": 160_000,
        "rules": {"amount": {"kind": "fixed", "amount_fen": 160_000}},
        **overrides,
    }


def test_create_and_read_a_fund(client: TestClient, settings: Settings) -> None:
    created = client.post("/funds", json=fund(), headers=auth(settings))
    assert created.status_code == 201, created.text
    read = client.get(f"/funds/{created.json()['id']}", headers=auth(settings)).json()
    assert read["budget_yuan"] == "1,600.00"
    assert client.get(f"/funds/{created.json()['id']}", headers=auth(settings, "3502")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget_fen": -1}, "budget_fen"),
        ({"budget_fen": 12.5}, "budget_fen"),
        ({"region": "35x"}, "region"),
        ({"year": 1999}, "year"),
        ({"name": ""}, "name"),
        ({"kind": "lottery"}, "kind"),
        ({"rules": {"amount": {"kind": "fixed", "amount_fen": -5}}}, "rules.amount.fixed.amount_fen"),
        ({"rules": {"amount": {"kind": "monthly"}}}, "rules.amount"),
        (
            {
                "rules": {
                    "amount": {"kind": "fixed", "amount_fen": 1},
                    "approval": {"levels": [{"level": "city"}, {"level": "county"}]},
                }
            },
            "rules",
        ),
        (
            {
                "rules": {
                    "amount": {"kind": "fixed", "amount_fen": 1},
                    "approval": {"levels": [{"level": "county", "from_fen": 5}]},
                }
            },
            "rules",
        ),
    ],
)
def test_bad_input_is_422(client: TestClient, settings: Settings, overrides: dict[str, object], field: str) -> None:
    response = client.post("/funds", json=fund(**overrides), headers=auth(settings))
    assert response.status_code == 422, response.text
    assert field in [p["field"] for p in response.json()["detail"]]


def test_station_staff_cannot_create_funds_and_a_county_cannot_create_a_city_fund(
    client: TestClient, settings: Settings
) -> None:
    assert client.post("/funds", json=fund(), headers=auth(settings, role="station_staff")).status_code == 403
    assert client.post("/funds", json=fund(region="3501"), headers=auth(settings, region="350102")).status_code == 403


async def test_the_worker_keeps_a_replica_of_the_registrys_people() -> None:
    assert definition.consumes == ["registry"]
    app = in_memory(AssistanceApplication, "assistance")
    assert definition.handler_factory is not None
    handle = definition.handler_factory(app)
    feed = RegistryFeed()
    await handle(feed.registered("p-1", "350102001001"))
    await handle(feed.died("p-1"))
    person: PersonReplica | None = app.get_or_none(PersonReplica.create_id("p-1"))
    assert person is not None
    assert (person.region, person.deceased) == ("350102001001", True)
