"""Possible duplicates: same name and birth date, different ID number; resolved as one person or as two."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from registry.application import Registration
from registry.domain import IdNumberClaim, Person
from registry.jobs import flag_duplicates

pytestmark = pytest.mark.integration  # GET /duplicates reads the read models

COUNTY = "350102"
TOWNSHIP_A, VILLAGE_A = "350102001", "350102001001"
TOWNSHIP_B, VILLAGE_B = "350102002", "350102002001"
BIRTH = date(1958, 11, 3)


def duplicates(api: Any, status: str = "open", region: str = COUNTY) -> list[dict[str, Any]]:
    """The cases after the worker's duplicate scan has run over the up-to-date read models."""
    api.project()
    api.run_log_consumer(flag_duplicates)
    api.project()
    response = api.client.get("/duplicates", params={"status": status}, headers=api.headers(region=region))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def resolve(api: Any, case_id: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
    return api.client.post(
        f"/duplicates/{case_id}/resolve",
        json=body,
        headers=headers or api.headers(role="officer", region=COUNTY, sub="officer-1"),
    )


@pytest.fixture
def pair(api_with_read_models: Any) -> tuple[str, str]:
    first = api_with_read_models.register(name="王建国", birth=BIRTH)
    second = api_with_read_models.register(name="王建国", birth=BIRTH)
    return first, second


def test_same_name_and_birth_date_with_another_id_number_is_listed(
    api_with_read_models: Any, pair: tuple[str, str]
) -> None:
    api = api_with_read_models
    api.register(name="王建国", birth=date(1958, 11, 4))  # another birth date
    api.register(name="王建军", birth=BIRTH)  # another name
    cases = duplicates(api)
    assert len(cases) == 1
    case = cases[0]
    assert case["person_ids"] == sorted(pair)
    assert case["name"] == "王建国"
    assert case["birth_date"] == BIRTH.isoformat()
    assert case["status"] == "open"
    assert case["region"] == VILLAGE_A


def test_the_same_id_number_twice_is_not_a_duplicate_case_but_a_409(api_with_read_models: Any) -> None:
    api = api_with_read_models
    id_number = api.id_number(BIRTH)
    api.register(id_number=id_number, name="王建国")
    again = api.client.post("/persons", json=api.person(id_number=id_number, name="王建国"), headers=api.headers())
    assert again.status_code == 409
    assert duplicates(api) == []


def test_resolving_as_the_same_person_merges_the_other_record(api_with_read_models: Any, pair: tuple[str, str]) -> None:
    api = api_with_read_models
    keep, other = pair
    case_id = duplicates(api)[0]["id"]

    response = resolve(api, case_id, same_person=True, keep_id=keep, note="同一人，身份证号码录入错误")
    assert response.status_code == 204, response.text

    merged = api.get(other)
    assert merged["status"] == "merged"
    assert merged["merged_into"] == keep
    assert api.get(keep)["status"] == "active"
    refused = api.change(other, "profile", {"housing": "新"})
    assert refused.status_code == 409
    assert api.change(other, "contact", {"address": "新"}).status_code == 409
    assert api.change(keep, "profile", {"housing": "新"}).status_code == 200

    assert duplicates(api) == []
    resolved = duplicates(api, status="resolved")
    assert [(case["id"], case["outcome"]) for case in resolved] == [(case_id, "same_person")]
    page = api.client.get("/persons", params={"status": "merged"}, headers=api.headers()).json()
    assert [item["id"] for item in page["items"]] == [other]


def test_resolving_as_different_people_closes_the_case_and_leaves_both(
    api_with_read_models: Any, pair: tuple[str, str]
) -> None:
    api = api_with_read_models
    case_id = duplicates(api)[0]["id"]
    response = resolve(api, case_id, same_person=False, note="核实为两人")
    assert response.status_code == 204, response.text
    assert [api.get(person_id)["status"] for person_id in pair] == ["active", "active"]
    assert duplicates(api) == []
    assert [case["outcome"] for case in duplicates(api, status="resolved")] == ["different_people"]
    assert resolve(api, case_id, same_person=False).status_code == 422  # already resolved


def test_merging_needs_a_kept_record_from_the_case(api_with_read_models: Any, pair: tuple[str, str]) -> None:
    api = api_with_read_models
    stranger = api.register(name="陈明")
    case_id = duplicates(api)[0]["id"]
    assert resolve(api, case_id, same_person=True).status_code == 422
    assert resolve(api, case_id, same_person=True, keep_id=stranger).status_code == 422
    assert [api.get(person_id)["status"] for person_id in (*pair, stranger)] == ["active"] * 3
    assert len(duplicates(api)) == 1


def test_station_staff_cannot_resolve_and_other_townships_do_not_see_the_case(
    api_with_read_models: Any, pair: tuple[str, str]
) -> None:
    api = api_with_read_models
    case_id = duplicates(api)[0]["id"]
    assert resolve(api, case_id, headers=api.headers(), same_person=False).status_code == 403
    other_officer = api.headers(role="officer", region=TOWNSHIP_B)
    assert resolve(api, case_id, headers=other_officer, same_person=False).status_code == 404
    assert duplicates(api, region=TOWNSHIP_B) == []
    assert len(duplicates(api, region=TOWNSHIP_A)) == 1


def test_a_case_spanning_two_townships_belongs_to_the_county(api_with_read_models: Any) -> None:
    """Only someone who can see every record in a case may merge them."""
    api = api_with_read_models
    theirs = api.register(name="王建国", birth=BIRTH, region=VILLAGE_A)
    assert duplicates(api) == []  # the worker's scan ran before the second registration
    mine = api.register(name="王建国", birth=BIRTH, region=VILLAGE_B)
    assert duplicates(api, region=TOWNSHIP_B) == []
    assert duplicates(api, region=TOWNSHIP_A) == []
    cases = duplicates(api, region=COUNTY)
    assert [case["region"] for case in cases] == [COUNTY]

    officer_b = api.headers(role="officer", region=TOWNSHIP_B)
    response = resolve(api, cases[0]["id"], headers=officer_b, same_person=True, keep_id=mine)
    assert response.status_code == 404
    assert api.get(theirs)["status"] == "active"
    assert resolve(api, cases[0]["id"], same_person=True, keep_id=mine).status_code == 204  # a county officer
    assert api.get(theirs)["status"] == "merged"


def test_a_registration_committed_after_a_later_one_is_still_scanned(api_with_read_models: Any) -> None:
    api = api_with_read_models
    id_number = api.id_number(BIRTH)
    # Created (timestamped) now, saved only after another registration has been committed and scanned,
    # as the rows of an import batch are.
    slow = Person(
        **vars(Registration(id_number=id_number, name="王建国", sex="male", birth_date=BIRTH, region=VILLAGE_A,
                            categories=["discharged_soldier"])),
        actor={"sub": "importer", "role": "station_staff"},
    )  # fmt: skip
    api.register(name="王建国", birth=BIRTH)
    assert duplicates(api) == []
    api.app.save(slow, IdNumberClaim(id_number_hash=api.app.id_number_hash(id_number), person_id=slow.id))
    assert len(duplicates(api)) == 1
