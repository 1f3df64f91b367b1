"""Every list route of the registry shows only the caller's jurisdiction: 鼓楼区 and 台江区 side by side."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest

from registry.domain import AlertOccasion, DuplicateCase

pytestmark = pytest.mark.integration

TODAY = date(2026, 6, 1)
GULOU, TAIJIANG = "350102", "350103"  # 鼓楼区, 台江区
VILLAGES = {GULOU: ("350102001001", "350102002001"), TAIJIANG: ("350103001001", "350103002001")}
TWINS_BORN = date(1955, 3, 3)

Expected = dict[str, dict[str, set[str]]]  # county -> list -> the ids it must show


def populate(api: Any, county: str) -> dict[str, set[str]]:
    """In one county: three people named 钱多, a transfer between two of its villages, a possible duplicate, an alert
    and a read in clear. Returns what each list should show a caller of that county."""
    here, there = VILLAGES[county]
    staff = api.headers(region=county, sub=f"staff-{county}")
    mover = api.register(region=here, headers=staff, name="钱多六")
    twin, other_twin = (api.register(region=here, headers=staff, name="钱多七", birth=TWINS_BORN) for _ in range(2))

    transfer = api.client.post(
        "/transfers", json={"person_id": mover, "to_region": there, "reason": "投靠子女"}, headers=staff
    )
    assert transfer.status_code == 201, transfer.text

    assert api.app.flag_possible_duplicate([twin, other_twin], county, "钱多七", TWINS_BORN)
    alert = {"person_id": twin, "region": here, "kind": "turning_80", "occasion": "2026-07-01"}
    assert api.app.raise_alerts([{**alert, "due_on": date(2026, 7, 1), "message": "该人员将于2026年7月1日年满80周岁"}])

    api.get(
        twin, headers=api.headers(region=county, sub=f"staff-{county}", purpose=quote("核实身份")), reveal="id_number"
    )
    return {
        "persons": {mover, twin, other_twin},
        "incoming": {transfer.json()["id"]},
        "outgoing": {transfer.json()["id"]},
        "duplicates": {str(DuplicateCase.create_id([twin, other_twin]))},
        "alerts": {str(AlertOccasion.create_id(twin, "turning_80", "2026-07-01"))},
        "reads": {twin},
    }


@pytest.fixture
def two_counties(api_with_read_models: Any) -> Expected:
    api = api_with_read_models
    api.freeze(TODAY)
    expected = {county: populate(api, county) for county in (GULOU, TAIJIANG)}
    # And one person moving from 鼓楼区 to 台江区: outgoing for the one, incoming for the other.
    leaving = api.register(region=VILLAGES[GULOU][0], headers=api.headers(region=GULOU), name="钱多八")
    across = api.client.post(
        "/transfers",
        json={"person_id": leaving, "to_region": VILLAGES[TAIJIANG][1], "reason": "工作调动"},
        headers=api.headers(region=GULOU),
    ).json()["id"]
    expected[GULOU]["persons"].add(leaving)
    expected[GULOU]["outgoing"].add(across)
    expected[TAIJIANG]["incoming"].add(across)
    api.project()
    return expected


def ids(body: Any) -> set[str]:
    items = body["items"] if isinstance(body, dict) else body
    return {str(item["id"]) for item in items}


def person_ids(body: Any) -> set[str]:
    return {str(item["person_id"]) for item in body["items"]}


# (list, route, query, role of the caller, what identifies a listed document)
LISTS: list[Any] = [
    # Above the township, GET /persons wants a search first (two characters): everyone here is a 钱多.
    pytest.param("persons", "/persons", {"q": "钱多"}, "station_staff", ids, id="GET /persons"),
    pytest.param("incoming", "/transfers", {"direction": "incoming"}, "station_staff", ids, id="incoming transfers"),
    pytest.param("outgoing", "/transfers", {"direction": "outgoing"}, "station_staff", ids, id="outgoing transfers"),
    pytest.param("duplicates", "/duplicates", {}, "officer", ids, id="GET /duplicates"),
    pytest.param("alerts", "/alerts", {}, "station_staff", ids, id="GET /alerts"),
    pytest.param("reads", "/access-log", {}, "auditor", person_ids, id="GET /access-log"),
]


@pytest.mark.parametrize(("name", "route", "query", "role", "identify"), LISTS)
def test_each_list_shows_a_county_only_its_own_documents(
    api_with_read_models: Any,
    two_counties: Expected,
    name: str,
    route: str,
    query: dict[str, str],
    role: str,
    identify: Callable[[Any], set[str]],
) -> None:
    api = api_with_read_models
    for county in (GULOU, TAIJIANG):
        response = api.client.get(route, params=query, headers=api.headers(role=role, region=county))
        assert response.status_code == 200, response.text
        assert identify(response.json()) == two_counties[county][name], county
    assert two_counties[GULOU][name].isdisjoint(two_counties[TAIJIANG][name])

    city = api.client.get(route, params=query, headers=api.headers(role=role, region="3501"))
    assert identify(city.json()) == two_counties[GULOU][name] | two_counties[TAIJIANG][name]


@pytest.mark.parametrize(
    ("route", "role"),
    [("/persons", "station_staff"), ("/alerts", "station_staff"), ("/access-log", "auditor")],
)
def test_a_region_outside_the_callers_jurisdiction_is_refused(
    api_with_read_models: Any, two_counties: Expected, route: str, role: str
) -> None:
    api = api_with_read_models
    gulou = api.headers(role=role, region=GULOU)
    outside = api.client.get(route, params={"region": TAIJIANG}, headers=gulou)
    assert outside.status_code == 403, outside.text
    assert "辖区" in outside.json()["detail"]
    township = api.client.get(route, params={"region": VILLAGES[GULOU][0][:9]}, headers=gulou)
    assert township.status_code == 200, township.text
