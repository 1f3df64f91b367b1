"""Registry API: validation a station worker can act on, uniqueness, jurisdiction, masking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from registry.service import definition
from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.idnumber import make_id_number
from vet_common.settings import Settings

ID_NUMBER = make_id_number("350102", date(1981, 3, 15), 1, "male")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.for_service("registry", data_dir=tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_api(definition, settings)) as test_client:
        yield test_client


def auth(settings: Settings, role: str = "station_staff", region: str = "350102001") -> dict[str, str]:
    token = issue_token(settings, sub="staff-1", name="王芳", roles=[role], region=region)
    return {"Authorization": f"Bearer {token}"}


def body(**overrides: object) -> dict[str, object]:
    return {
        "id_number": ID_NUMBER,
        "name": "张三",
        "region": "350102001001",
        "categories": ["discharged_soldier"],
        **overrides,
    }


def test_register_then_read_back_with_the_id_number_masked(client: TestClient, settings: Settings) -> None:
    created = client.post("/persons", json=body(), headers=auth(settings))
    assert created.status_code == 201, created.text
    person = client.get(f"/persons/{created.json()['id']}", headers=auth(settings)).json()
    assert person["name"] == "张三"
    assert person["sex"] == "male"
    assert person["birth_date"] == "1981-03-15"
    assert person["id_number"] == ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
    assert person["category_names"] == ["退役士兵"]


def test_a_second_record_for_the_same_id_number_is_refused_and_names_the_first(
    client: TestClient, settings: Settings
) -> None:
    first = client.post("/persons", json=body(), headers=auth(settings)).json()["id"]
    again = client.post("/persons", json=body(id_number=ID_NUMBER.lower(), name="张三丰"), headers=auth(settings))
    assert again.status_code == 409
    assert again.json()["existing_id"] == first


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")}, "id_number"),
        ({"id_number": "35010219810230001X"}, "id_number"),
        ({"region": "991234567890"}, "region"),
        ({"categories": ["pirate"]}, "categories"),
        ({"categories": []}, "categories"),
        ({"name": "   "}, "name"),
        ({"birth_date": "1981-03-16"}, "birth_date"),
        ({"sex": "female"}, "sex"),
    ],
)
def test_bad_input_is_422_with_a_message_per_field_and_changes_nothing(
    client: TestClient, settings: Settings, overrides: dict[str, object], field: str
) -> None:
    response = client.post("/persons", json=body(**overrides), headers=auth(settings))
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert field in [p["field"] for p in problems]
    assert all(p["message"] for p in problems)
    assert client.app.state.application.process_recorder.max_notification_id() is None  # type: ignore[attr-defined]


def test_jurisdiction_another_township_sees_404_and_cannot_register_there(
    client: TestClient, settings: Settings
) -> None:
    person_id = client.post("/persons", json=body(), headers=auth(settings)).json()["id"]
    other_township = auth(settings, region="350102002")
    assert client.get(f"/persons/{person_id}", headers=other_township).status_code == 404
    refused = client.post(
        "/persons", json=body(id_number=make_id_number("350102", date(1960, 1, 1), 2, "female")), headers=other_township
    )
    assert refused.status_code == 403


def test_without_a_token_the_answer_is_401_and_auditors_cannot_register(client: TestClient, settings: Settings) -> None:
    assert client.post("/persons", json=body()).status_code == 401
    assert client.post("/persons", json=body(), headers=auth(settings, role="auditor")).status_code == 403


def test_an_unknown_township_of_a_known_county_is_refused_and_nothing_is_recorded(tmp_path: Any) -> None:
    settings = Settings.for_service("registry", data_dir=tmp_path)
    with TestClient(create_api(definition, settings)) as client:
        response = client.post("/persons", json=body(region="350102999001"), headers=auth(settings))
        assert response.status_code == 422, response.text
        assert [problem["field"] for problem in response.json()["detail"]] == ["region"]
        assert "350102999" in response.json()["detail"][0]["message"]
        assert client.app.state.application.process_recorder.max_notification_id() in (None, 0)  # type: ignore[attr-defined]


def test_each_api_worker_process_builds_the_app_of_the_service_named_in_its_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from vet_common.entrypoint import api_of_service

    monkeypatch.setenv("VET_SERVICE", "registry")
    monkeypatch.setenv("VET_DATA_DIR", str(tmp_path))
    with TestClient(api_of_service()) as worker_app:
        assert worker_app.get("/healthz").json() == {"status": "ok", "service": "registry"}
