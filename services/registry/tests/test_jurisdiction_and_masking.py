"""Jurisdiction (a township sees only its own people), masking per role, reveals with a purpose and the access log,
search and list filters."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from vet_common.idnumber import make_id_number

COUNTY = "350102"
TOWNSHIP_A, VILLAGE_A = "350102001", "350102001001"
TOWNSHIP_B, VILLAGE_B = "350102002", "350102002001"

CHANGE_ROUTES = [
    ("profile", {"housing": "无"}),
    ("contact", {"phone": "13900001111"}),
    ("categories", {"categories": ["demobilized_soldier"]}),
    ("service-record", {"branch": "空军"}),
    ("honours", {"title": "二等功"}),
    ("disability", {"level": 3, "cause": "因战", "certificate_no": "C1"}),
    ("key-contacts", {"reason": "unemployed"}),
    ("certificates", {"action": "apply_preferential_card"}),
    ("annual-confirmations", {"year": 2025}),
    ("death", {"date": "2024-01-01"}),
]


def id_number_ending_in_x(birth: date = date(1971, 9, 9)) -> str:
    return next(number for seq in range(500) if (number := make_id_number(COUNTY, birth, seq, "male")).endswith("X"))


# Jurisdiction ---------------------------------------------------------------------------------------------------


def test_another_townships_staff_get_404_for_the_record(api: Any) -> None:
    person_id = api.register()
    response = api.client.get(f"/persons/{person_id}", headers=api.headers(region=TOWNSHIP_B))
    assert response.status_code == 404
    assert api.client.get(f"/persons/{person_id}", headers=api.headers(region=TOWNSHIP_A)).status_code == 200
    assert api.client.get(f"/persons/{person_id}", headers=api.headers(region=COUNTY)).status_code == 200


def test_out_of_jurisdiction_looks_exactly_like_unknown(api: Any) -> None:
    person_id = api.register()
    other = api.client.get(f"/persons/{person_id}", headers=api.headers(region=TOWNSHIP_B))
    unknown = api.client.get("/persons/00000000-0000-4000-8000-000000000000", headers=api.headers(region=TOWNSHIP_B))
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()


@pytest.mark.parametrize(("route", "body"), CHANGE_ROUTES, ids=[route for route, _ in CHANGE_ROUTES])
def test_another_townships_staff_cannot_change_the_record(api: Any, route: str, body: dict[str, Any]) -> None:
    person_id = api.register()
    before = api.get(person_id)
    response = api.change(person_id, route, body, headers=api.headers(region=TOWNSHIP_B))
    assert response.status_code == 404, response.text
    assert api.get(person_id)["version"] == before["version"]


def test_another_townships_staff_cannot_link_a_survivor_across_the_boundary(api: Any) -> None:
    mine = api.register(region=VILLAGE_B, categories=["active_duty_family"])
    theirs = api.register(region=VILLAGE_A)
    staff_b = api.headers(region=TOWNSHIP_B)
    # Their person as the survivor, or as the veteran: both look unknown.
    link = {"relation": "spouse", "category": "martyr_survivor"}
    assert api.change(theirs, "survivors", {"veteran_id": mine, **link}, headers=staff_b).status_code == 404
    assert api.change(mine, "survivors", {"veteran_id": theirs, **link}, headers=staff_b).status_code == 404


def test_another_townships_staff_cannot_read_the_history_or_transfer_the_person(api: Any) -> None:
    person_id = api.register()
    staff_b = api.headers(region=TOWNSHIP_B)
    assert api.client.get(f"/persons/{person_id}/history", headers=staff_b).status_code == 404
    transfer = {"person_id": person_id, "to_region": VILLAGE_B, "reason": "搬迁"}
    assert api.client.post("/transfers", json=transfer, headers=staff_b).status_code == 404


# Masking --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["station_staff", "officer", "approver", "auditor", "admin"])
def test_every_role_sees_id_and_phone_numbers_masked(api: Any, role: str) -> None:
    id_number = id_number_ending_in_x()
    person_id = api.register(id_number=id_number.lower(), phone="13812345678")
    person = api.get(person_id, headers=api.headers(role=role, region=COUNTY))
    assert person["id_number"] == id_number[:6] + "********" + id_number[-4:]
    assert person["id_number"].endswith("X")
    assert person["phone"] == "138****5678"
    assert person["revealed"] == []


@pytest.mark.parametrize("role", ["station_staff", "officer", "admin"])
def test_reveal_with_a_purpose_shows_the_numbers_in_clear(api: Any, role: str) -> None:
    id_number = api.id_number()
    person_id = api.register(id_number=id_number, phone="13812345678")
    headers = api.headers(role=role, region=TOWNSHIP_A, purpose="verify identity for the preferential card")
    person = api.get(person_id, headers=headers, reveal="id_number,phone")
    assert person["id_number"] == id_number
    assert person["phone"] == "13812345678"
    assert person["revealed"] == ["id_number", "phone"]


def test_reveal_of_one_field_leaves_the_other_masked(api: Any) -> None:
    id_number = api.id_number()
    person_id = api.register(id_number=id_number, phone="13812345678")
    person = api.get(person_id, headers=api.headers(purpose="phone follow-up"), reveal="phone")
    assert person["phone"] == "13812345678"
    assert person["id_number"] != id_number
    assert "*" in person["id_number"]


@pytest.mark.parametrize("role", ["auditor", "approver"])
def test_auditors_and_approvers_may_not_reveal(api: Any, role: str) -> None:
    person_id = api.register(phone="13812345678")
    response = api.client.get(
        f"/persons/{person_id}",
        params={"reveal": "id_number,phone"},
        headers=api.headers(role=role, region=COUNTY, purpose="audit check"),
    )
    assert response.status_code == 403
    assert "13812345678" not in response.text


@pytest.mark.parametrize("purpose", [None, "   "])
def test_reveal_without_a_purpose_is_422(api: Any, purpose: str | None) -> None:
    person_id = api.register(phone="13812345678")
    response = api.client.get(f"/persons/{person_id}", params={"reveal": "phone"}, headers=api.headers(purpose=purpose))
    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == ["X-Purpose"]
    assert "13812345678" not in response.text


def test_reveal_of_an_unknown_field_is_422(api: Any) -> None:
    person_id = api.register()
    response = api.client.get(
        f"/persons/{person_id}", params={"reveal": "address"}, headers=api.headers(purpose="audit check")
    )
    assert response.status_code == 422


@pytest.mark.integration
def test_each_reveal_shows_in_the_history_and_in_the_access_log(api_with_read_models: Any) -> None:
    api = api_with_read_models
    person_id = api.register(phone="13812345678")
    staff = api.headers(sub="staff-7", purpose="verify identity for the preferential card")
    api.get(person_id, headers=staff, reveal="id_number")
    api.get(
        person_id,
        headers=api.headers(role="officer", region=COUNTY, sub="officer-2", purpose="phone follow-up"),
        reveal="phone",
    )
    api.get(person_id)  # a masked read is not a reveal
    api.project()

    history = api.client.get(f"/persons/{person_id}/history", headers=api.headers())
    assert history.status_code == 200, history.text
    reveals = [entry for entry in history.json() if entry["type"] == "PersonalDataRevealed"]
    assert [(e["actor"]["sub"], e["changes"]["fields"], e["changes"]["purpose"]) for e in reveals] == [
        ("staff-7", ["id_number"], "verify identity for the preferential card"),
        ("officer-2", ["phone"], "phone follow-up"),
    ]

    log = api.client.get("/access-log", headers=api.headers(role="auditor", region=COUNTY))
    assert log.status_code == 200, log.text
    assert log.json()["total"] == 2
    items = sorted(log.json()["items"], key=lambda item: item["actor"]["sub"])
    assert [(i["person_id"], i["actor"]["sub"], i["fields"], i["purpose"]) for i in items] == [
        (person_id, "officer-2", ["phone"], "phone follow-up"),
        (person_id, "staff-7", ["id_number"], "verify identity for the preferential card"),
    ]
    assert all(item["region"] == VILLAGE_A for item in items)

    by_actor = api.client.get(
        "/access-log", params={"actor": "staff-7"}, headers=api.headers(role="auditor", region=COUNTY)
    )
    assert [item["actor"]["sub"] for item in by_actor.json()["items"]] == ["staff-7"]
    elsewhere = api.client.get(
        "/access-log", params={"region": TOWNSHIP_B}, headers=api.headers(role="auditor", region=COUNTY)
    )
    assert elsewhere.json()["total"] == 0
    other_county = api.client.get("/access-log", headers=api.headers(role="auditor", region="350103"))
    assert other_county.json()["total"] == 0


@pytest.mark.integration
@pytest.mark.parametrize("role", ["station_staff", "officer", "approver"])
def test_only_auditors_read_the_access_log(api_with_read_models: Any, role: str) -> None:
    response = api_with_read_models.client.get("/access-log", headers=api_with_read_models.headers(role=role))
    assert response.status_code == 403


# Search and lists -----------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_q_finds_an_exact_id_number_in_any_case_of_x(api_with_read_models: Any) -> None:
    api = api_with_read_models
    id_number = id_number_ending_in_x()
    person_id = api.register(id_number=id_number, name="赵六")
    api.register(name="钱七")
    api.project()

    for q in (id_number, id_number.lower(), f" {id_number[:-1]}x "):
        found = api.client.get("/persons", params={"q": q}, headers=api.headers())
        assert found.status_code == 200, found.text
        assert [item["id"] for item in found.json()["items"]] == [person_id], q
        assert found.json()["total"] == 1


@pytest.mark.integration
def test_q_never_finds_by_a_partial_id_number(api_with_read_models: Any) -> None:
    api = api_with_read_models
    id_number = api.id_number()
    api.register(id_number=id_number)
    api.project()
    for partial in (id_number[:6], id_number[:10], id_number[:17], id_number[-6:], id_number[6:14]):
        found = api.client.get("/persons", params={"q": partial}, headers=api.headers())
        assert found.json()["total"] == 0, partial


@pytest.mark.integration
def test_q_finds_by_name_prefix(api_with_read_models: Any) -> None:
    api = api_with_read_models
    zhang_san = api.register(name="张三")
    zhang_sanfeng = api.register(name="张三丰")
    api.register(name="李四")
    api.project()

    def names(q: str) -> list[str]:
        return sorted(
            item["id"] for item in api.client.get("/persons", params={"q": q}, headers=api.headers()).json()["items"]
        )

    assert names("张") == sorted([zhang_san, zhang_sanfeng])
    assert names("张三丰") == [zhang_sanfeng]
    assert names("三") == []
    assert names(".*") == []


@pytest.mark.integration
def test_list_items_are_masked_and_limited_to_the_jurisdiction(api_with_read_models: Any) -> None:
    api = api_with_read_models
    id_number = api.id_number()
    mine = api.register(id_number=id_number)
    api.register(region=VILLAGE_B)
    api.project()
    page = api.client.get("/persons", headers=api.headers(region=TOWNSHIP_A)).json()
    assert [item["id"] for item in page["items"]] == [mine]
    assert page["items"][0]["id_number"] == id_number[:6] + "********" + id_number[-4:]
    assert id_number not in str(page)
    county = api.client.get("/persons", params={"q": "张三"}, headers=api.headers(region=COUNTY)).json()
    assert county["total"] == 2
    assert api.client.get("/persons", params={"region": TOWNSHIP_B}, headers=api.headers()).status_code == 403


@pytest.mark.integration
def test_list_filters_and_pagination(api_with_read_models: Any) -> None:
    api = api_with_read_models
    county = api.headers(region=COUNTY)
    soldier = api.register(name="甲", categories=["discharged_soldier"])
    martyr = api.register(name="乙", categories=["martyr_survivor"], region=VILLAGE_B)
    elder = api.register(name="丙", birth=date(1940, 2, 2))
    disabled = api.register(name="丁")
    api.change(disabled, "disability", {"level": 4, "cause": "因战", "certificate_no": "C4"})
    deceased = api.register(name="戊")
    api.change(deceased, "death", {"date": "2025-05-05"})
    everyone = {soldier, martyr, elder, disabled, deceased}
    api.project()

    def ids(**params: Any) -> set[str]:
        response = api.client.get("/persons", params={"page_size": 100, **params}, headers=county)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == len(response.json()["items"])
        assert response.json()["total_exact"] is True
        return {item["id"] for item in response.json()["items"]}

    # A county lists only once narrowed (search first); a township lists directly.
    refused = api.client.get("/persons", headers=county)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "q"
    assert api.client.get("/persons", params={"category": "martyr_survivor"}, headers=county).status_code == 422
    in_a = everyone - {martyr}
    assert ids(region=TOWNSHIP_A) == in_a
    assert ids(region=TOWNSHIP_B) == {martyr}
    assert ids(region=TOWNSHIP_B, category="martyr_survivor") == {martyr}
    assert ids(region=TOWNSHIP_A, category="discharged_soldier") == in_a
    assert ids(status="deceased") == {deceased}
    assert ids(region=TOWNSHIP_A, status="active") == in_a - {deceased}
    assert ids(region=TOWNSHIP_A, key_contact="true") == {elder, disabled}
    assert ids(region=TOWNSHIP_B, key_contact="true") == {martyr}
    assert ids(region=TOWNSHIP_A, key_contact="false") == {soldier, deceased}
    assert ids(disability_level=4) == {disabled}
    assert ids(region=VILLAGE_A) == in_a

    # Keyset pages: each page starts after the last row of the one before; no skip, no missed or repeated row.
    seen: list[str] = []
    after: str | None = None
    sizes = []
    while True:
        params = {"region": TOWNSHIP_A, "page_size": 3, **({"after": after} if after else {})}
        page = api.client.get("/persons", params=params, headers=county).json()
        assert page["total"] == 4
        seen += [item["id"] for item in page["items"]]
        sizes.append(len(page["items"]))
        after = page["next"]
        if after is None:
            break
    assert sizes == [3, 1]
    assert sorted(seen) == sorted(in_a)
    assert len(seen) == len(set(seen))
    for bad in ({"page": 9223372036854775807}, {"page": 2}, {"after": "not-a-cursor"}, {"page_size": 101}):
        response = api.client.get("/persons", params={"region": TOWNSHIP_A, **bad}, headers=county)
        assert response.status_code == 422, (bad, response.text)
    elder_item = api.client.get("/persons", params={"q": "丙", "region": TOWNSHIP_A}, headers=county).json()["items"][0]
    assert elder_item["key_contact_reasons"] == ["aged_80_or_over"]  # decided at query time, not stored


@pytest.mark.integration
@pytest.mark.parametrize(
    "sent",
    [
        "办理优待证核对身份".encode(),
        "%E5%8A%9E%E7%90%86%E4%BC%98%E5%BE%85%E8%AF%81%E6%A0%B8%E5%AF%B9%E8%BA%AB%E4%BB%BD",
    ],
    ids=["utf-8", "percent-encoded"],
)
def test_a_chinese_purpose_is_recorded_as_written(api_with_read_models: Any, sent: bytes | str) -> None:
    api = api_with_read_models
    person_id = api.register(phone="13812345678")
    headers = {**api.headers(), "X-Purpose": sent}
    response = api.client.get(f"/persons/{person_id}", params={"reveal": "phone"}, headers=headers)
    assert response.status_code == 200, response.text
    api.project()
    log = api.client.get("/access-log", headers=api.headers(role="auditor", region=COUNTY)).json()
    assert [item["purpose"] for item in log["items"]] == ["办理优待证核对身份"]


@pytest.mark.integration
def test_an_id_number_is_searched_in_the_body_not_the_url(api_with_read_models: Any) -> None:
    api = api_with_read_models
    id_number = api.id_number()
    wanted = api.register(id_number=id_number)
    api.register()
    api.project()
    county = api.headers(region=COUNTY)
    found = api.client.post("/persons/search", json={"q": id_number}, headers=county)
    assert found.status_code == 200, found.text
    assert [item["id"] for item in found.json()["items"]] == [wanted]
    assert id_number not in found.text
    assert api.client.post("/persons/search", json={}, headers=county).status_code == 422  # search first
    outside = api.client.post("/persons/search", json={"q": id_number}, headers=api.headers(region="350103"))
    assert outside.json()["items"] == []


@pytest.mark.integration
def test_a_township_is_listed_village_by_village_and_a_county_by_its_sparse_facts(api_with_read_models: Any) -> None:
    api = api_with_read_models
    county = api.headers(region=COUNTY)
    villages = [f"{TOWNSHIP_A}00{n}" for n in (1, 2, 3)]
    people = {
        village: [api.register(name=f"{'甲乙丙'[i]}某", region=village) for i in range(3)] for village in villages
    }
    moved = people[villages[0]][0]
    disabled = people[villages[2]][1]
    api.change(disabled, "disability", {"level": 3, "cause": "因战", "certificate_no": "C3"})
    transfer = api.client.post(
        "/transfers", json={"person_id": moved, "to_region": VILLAGE_B, "reason": "搬迁"}, headers=api.headers()
    ).json()["id"]
    accepted = api.client.post(f"/transfers/{transfer}/accept", json={}, headers=api.headers(region=TOWNSHIP_B))
    assert accepted.status_code == 200, accepted.text
    api.project()

    def walk(**params: Any) -> tuple[list[str], list[Any]]:
        ids: list[str] = []
        totals = []
        after = None
        while True:
            query = {**params, **({"after": after} if after else {})}
            page = api.client.get("/persons", params=query, headers=county)
            assert page.status_code == 200, page.text
            ids += [item["id"] for item in page.json()["items"]]
            totals.append(page.json()["total"])
            after = page.json()["next"]
            if after is None:
                return ids, totals

    # Pages of 2 run across the villages in order; the one who moved away is no longer counted here.
    ids, totals = walk(region=TOWNSHIP_A, page_size=2)
    staying = [p for village in villages for p in people[village] if p != moved]
    assert sorted(ids) == sorted(staying)
    assert len(ids) == len(set(ids))
    assert set(totals) == {8}
    moved_in = api.client.get("/persons", params={"region": TOWNSHIP_B}, headers=county).json()
    assert [item["id"] for item in moved_in["items"]] == [moved]
    # A county lists by a sparse fact (a facet), not by a scan; a surname alone is not narrow enough.
    found = api.client.get("/persons", params={"disability_level": 3}, headers=county).json()
    assert [item["id"] for item in found["items"]] == [disabled]
    assert api.client.get("/persons", params={"q": "甲"}, headers=county).status_code == 422
    assert len(api.client.get("/persons", params={"q": "甲某"}, headers=county).json()["items"]) == 3
