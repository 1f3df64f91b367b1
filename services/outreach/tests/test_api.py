"""Outreach API: a visit needs a person the caller can see; bad input changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from outreach.people import PersonRef, RegistryUnavailable
from outreach.service import definition
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.settings import Settings

PERSON = "2f1b6a3e-54c1-4f64-8a5e-0d7b3c1a9e10"


class FakeDirectory:
    """Behaves like the registry: knows some people, can be down."""

    def __init__(self) -> None:
        self.people = {PERSON: PersonRef(id=PERSON, region="350102001001", status="active")}
        self.down = False

    async def find(self, person_id: str, bearer_token: str) -> PersonRef | None:
        if self.down:
            raise RegistryUnavailable("connection refused")
        return self.people.get(person_id)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.for_service("outreach", data_dir=tmp_path)


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory()


@pytest.fixture
def client(settings: Settings, directory: FakeDirectory) -> Iterator[TestClient]:
    with TestClient(create_api(definition, settings)) as test_client:
        test_client.app.state.directory = directory  # type: ignore[attr-defined]
        yield test_client


def auth(settings: Settings, region: str = "350102001", role: str = "station_staff") -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(settings, sub="s1", name="李明", roles=[role], region=region)}


def visit(**overrides: object) -> dict[str, object]:
    return {"person_id": PERSON, "method": "home_visit", "date": "2026-08-01", "notes": "生活稳定", **overrides}


def events_recorded(client: TestClient) -> int:
    return client.app.state.application.process_recorder.max_notification_id() or 0  # type: ignore[attr-defined]


def test_record_and_read_a_visit(client: TestClient, settings: Settings) -> None:
    created = client.post("/visits", json=visit(), headers=auth(settings))
    assert created.status_code == 201, created.text
    read = client.get(f"/visits/{created.json()['id']}", headers=auth(settings)).json()
    assert read["region"] == "350102001001"
    assert read["method"] == "home_visit"
    assert client.get(f"/visits/{created.json()['id']}", headers=auth(settings, "350102002")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"method": "carrier_pigeon"}, "method"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "01/08/2026"}, "date"),
        ({"person_id": "not-an-id"}, "person_id"),
        ({"person_id": "00000000-0000-0000-0000-000000000000"}, "person_id"),
    ],
)
def test_bad_input_is_422_and_records_nothing(
    client: TestClient, settings: Settings, overrides: dict[str, object], field: str
) -> None:
    response = client.post("/visits", json=visit(**overrides), headers=auth(settings))
    assert response.status_code == 422, response.text
    assert field in [p["field"] for p in response.json()["detail"]]
    assert events_recorded(client) == 0


def test_a_person_outside_the_jurisdiction_is_unknown(client: TestClient, settings: Settings) -> None:
    response = client.post("/visits", json=visit(), headers=auth(settings, region="350103"))
    assert response.status_code == 422
    assert events_recorded(client) == 0


def test_registry_down_is_503_with_advice(client: TestClient, settings: Settings, directory: FakeDirectory) -> None:
    directory.down = True
    response = client.post("/visits", json=visit(), headers=auth(settings))
    assert response.status_code == 503
    assert "稍后重试" in response.json()["detail"]
