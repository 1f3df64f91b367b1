"""`Idempotency-Key` on POST /persons: a station that lost the answer sends the request again and gets the first
answer, never a second record (vet_common.idempotency)."""

from __future__ import annotations

from typing import Any

import pytest

OTHER_COUNTY_VILLAGE = "350103001001"  # 台江区
KEY = "3f1c2a9e-registration-0001"


def recorded(api: Any) -> int:
    return int(api.app.process_recorder.max_notification_id() or 0)


def post(api: Any, body: dict[str, Any], key: str = KEY, sub: str = "staff-1") -> Any:
    return api.client.post("/persons", json=body, headers={**api.headers(sub=sub), "Idempotency-Key": key})


def test_the_same_key_and_body_again_answers_the_first_answer_and_records_nothing(api: Any) -> None:
    body = api.person(name="李秀英", sex="female")
    first = post(api, body)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    after_first = recorded(api)

    again = post(api, body)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert recorded(api) == after_first
    assert api.get(first.json()["id"])["name"] == "李秀英"


def test_the_same_key_with_another_body_is_refused_and_records_nothing(api: Any) -> None:
    assert post(api, api.person(name="李秀英")).status_code == 201
    before = recorded(api)
    other = post(api, api.person(name="王建国"))
    assert other.status_code == 409, other.text
    assert "Idempotency-Key" in other.json()["detail"]
    assert recorded(api) == before


def test_the_same_key_on_another_route_is_refused(api: Any) -> None:
    person_id = post(api, api.person()).json()["id"]
    before = recorded(api)
    response = api.client.post(
        f"/persons/{person_id}/contact",
        json={"phone": "13812345678"},
        headers={**api.headers(), "Idempotency-Key": KEY},
    )
    assert response.status_code == 409
    assert recorded(api) == before
    assert api.get(person_id)["phone"] is None


def outside_the_jurisdiction(api: Any) -> dict[str, Any]:
    return dict(api.person(region=OTHER_COUNTY_VILLAGE))


def with_a_wrong_check_digit(api: Any) -> dict[str, Any]:
    body = api.person()
    body["id_number"] = body["id_number"][:-1] + ("0" if body["id_number"][-1] != "0" else "1")
    return dict(body)


def already_registered(api: Any) -> dict[str, Any]:
    """Someone registered without a key, to be registered again."""
    body = api.person()
    assert api.client.post("/persons", json=body, headers=api.headers()).status_code == 201
    return dict(body)


@pytest.mark.parametrize(
    ("make_body", "status"),
    [(outside_the_jurisdiction, 403), (with_a_wrong_check_digit, 422), (already_registered, 409)],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_a_refused_request_answers_the_same_refusal_again(api: Any, make_body: Any, status: int) -> None:
    body = make_body(api)
    before = recorded(api)
    first = post(api, body)
    assert first.status_code == status, first.text
    claimed = recorded(api)
    assert claimed - before == 2  # only the key's own claim: reserved, then answered

    again = post(api, body)
    assert (again.status_code, again.json()) == (status, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert recorded(api) == claimed


def test_two_callers_may_use_the_same_key_independently(api: Any) -> None:
    wang, li = api.person(name="王芳"), api.person(name="李强")
    for_wang = post(api, wang, sub="staff-1")
    for_li = post(api, li, sub="staff-2")
    assert (for_wang.status_code, for_li.status_code) == (201, 201)
    assert for_wang.json()["id"] != for_li.json()["id"]
    assert "Idempotent-Replayed" not in for_li.headers

    before = recorded(api)
    assert post(api, li, sub="staff-2").json() == for_li.json()
    assert post(api, wang, sub="staff-1").json() == for_wang.json()
    assert post(api, li, sub="staff-1").status_code == 409  # staff-1 used the key for 王芳
    assert recorded(api) == before
