"""Outreach API: a visit needs a living person that outreach knows from the registry's events and the caller
can see; every refusal records nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from outreach.application import OutreachApplication
from outreach.service import definition
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.people import people_replica
from vet_common.settings import Settings
from vet_contracts import IntegrationEvent
from vet_devtools.testing.people import RegistryFeed

PERSON = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.for_service("outreach", data_dir=tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_api(definition, settings)) as test_client:
        yield test_client


@pytest.fixture
def feed(client: TestClient) -> RegistryFeed:
    """The registry's topic as outreach's worker would consume it; PERSON is registered in 350102001001."""
    feed = RegistryFeed()
    consume(client, feed.registered(PERSON, "350102001001"))
    return feed


def consume(client: TestClient, event: IntegrationEvent) -> None:
    people_replica.process(application(client), event)


def application(client: TestClient) -> OutreachApplication:
    return client.app.state.application  # type: ignore[attr-defined,no-any-return]


def auth(settings: Settings, region: str = "350102001", role: str = "station_staff") -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(settings, sub="s1", name="李明", roles=[role], region=region)}


def visit(**overrides: object) -> dict[str, object]:
    return {"person_id": PERSON, "method": "home_visit", "date": "2026-08-01", "findings": "生活稳定", **overrides}


def events_recorded(client: TestClient) -> int:
    return application(client).process_recorder.max_notification_id() or 0


def test_a_visit_with_a_known_person_is_recorded_in_the_replicas_region(
    client: TestClient, settings: Settings, feed: RegistryFeed
) -> None:
    consume(client, feed.transferred(PERSON, "350102002003"))  # moved within the county since registering
    created = client.post("/contacts", json=visit(), headers=auth(settings, "350102"))
    assert created.status_code == 201, created.text
    read = client.get(f"/contacts/{created.json()['id']}", headers=auth(settings, "350102")).json()
    assert read["region"] == "350102002003"
    assert read["person_id"] == PERSON
    assert read["method"] == "home_visit"
    assert client.get(f"/contacts/{created.json()['id']}", headers=auth(settings, "350102001")).status_code == 404


def test_a_person_outreach_has_not_heard_of_is_409_and_records_nothing(client: TestClient, settings: Settings) -> None:
    response = client.post("/contacts", json=visit(), headers=auth(settings))
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "该人员的档案尚未同步到本系统，请稍后再试 (not yet known here: the registry's record has not reached "
        "outreach yet; try again in a moment)"
    )
    assert events_recorded(client) == 0


def test_a_person_outside_the_jurisdiction_is_404_and_records_nothing(
    client: TestClient, settings: Settings, feed: RegistryFeed
) -> None:
    before = events_recorded(client)
    response = client.post("/contacts", json=visit(), headers=auth(settings, region="350103"))
    assert response.status_code == 404
    assert "不在本辖区" in response.json()["detail"]
    assert events_recorded(client) == before


def test_a_deceased_person_is_409_and_records_nothing(
    client: TestClient, settings: Settings, feed: RegistryFeed
) -> None:
    consume(client, feed.died(PERSON))
    before = events_recorded(client)
    response = client.post("/contacts", json=visit(), headers=auth(settings))
    assert response.status_code == 409
    assert "已去世" in response.json()["detail"]
    assert events_recorded(client) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"method": "carrier_pigeon"}, "method"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "2026-07-31"}, "date"),  # the day before the registration
        ({"date": "01/08/2026"}, "date"),
        ({"person_id": "not-an-id"}, "person_id"),
    ],
)
def test_bad_input_is_422_and_records_nothing(
    client: TestClient, settings: Settings, feed: RegistryFeed, overrides: dict[str, object], field: str
) -> None:
    before = events_recorded(client)
    response = client.post("/contacts", json=visit(**overrides), headers=auth(settings))
    assert response.status_code == 422, response.text
    assert field in [p["field"] for p in response.json()["detail"]]
    assert events_recorded(client) == before


def test_every_route_needs_a_token_and_a_call_without_one_records_nothing(client: TestClient) -> None:
    """Every operation of outreach's API (all but the contract, health and metrics) answers 401 without a token."""
    public = {"/contract/schemas", "/contract/asyncapi.json", "/healthz", "/readyz", "/metrics"}
    called = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if path in public:
            continue
        concrete = re.sub(r"\{[^}]+\}", "5b1e0c8e-7a43-4f0e-9d3c-2a6f1b4c8d01", path)
        for method in operations:
            response = client.request(method.upper(), concrete, json={})
            assert response.status_code == 401, (method, path, response.status_code, response.text)
            called.append((method, path))
    assert len(called) >= 40
    assert events_recorded(client) == 0
