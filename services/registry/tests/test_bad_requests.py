"""What a caller can send that once got a 500 (found fuzzing the OpenAPI document, tests/test_openapi_fuzz.py,
and by hand beside it): each is now a 422 that names what is wrong, and nothing reaches the read models."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from registry.queries import after_cursor
from vet_common.domain import Invalid


def cursor(parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [problem["field"] for problem in response.json()["detail"]]


def test_a_body_that_is_not_utf8_is_a_422_about_the_body(api: Any) -> None:
    response = api.client.post(
        "/persons", content=b'{"name": "\xff\xfe"}', headers={**api.headers(), "Content-Type": "application/json"}
    )
    assert fields(response) == ["body"]
    assert "could not be read" in response.json()["detail"][0]["message"]


def test_a_body_that_is_not_json_is_a_422_about_the_body_not_a_character_offset(api: Any) -> None:
    response = api.client.post(
        "/persons", content=b'{"name": ', headers={**api.headers(), "Content-Type": "application/json"}
    )
    assert fields(response) == ["body"]


def test_a_broken_multipart_upload_is_a_422_about_the_body(api: Any) -> None:
    boundary = "553a6e895f9922c591d4c0da49ed4aa7"
    response = api.client.post(
        "/imports",
        content=f"--{boundary}\r\n\xc0c\x07\xeb--{boundary}--\r\n".encode("latin-1"),
        headers={**api.headers(), "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert fields(response) == ["body"]
    assert "Invalid multipart data" in response.json()["detail"][0]["message"]


@pytest.mark.parametrize(
    "parts",
    [
        [{"$foo": 1}, "张三", "id"],  # an object is a query operator to the read models: a 500 before
        ["350102001001", {"$gt": ""}, "id"],  # ... or a filter nobody asked for
        [1, 2, 3],
        [None, None, None],
    ],
)
def test_a_cursor_that_is_not_one_the_api_made_is_refused(parts: Any) -> None:
    with pytest.raises(Invalid) as refused:
        after_cursor(cursor(parts))
    assert refused.value.field == "after"


@pytest.mark.integration
def test_a_forged_cursor_is_a_422_on_the_list(api_with_read_models: Any) -> None:
    api = api_with_read_models
    response = api.client.get("/persons", params={"after": cursor([{"$foo": 1}, "a", "b"])}, headers=api.headers())
    assert fields(response) == ["after"]


def test_an_access_log_page_too_far_to_count_is_a_422(api: Any) -> None:
    headers = api.headers(role="auditor", region="350102")
    for page in (10**20, 2**62, 100_001):
        assert fields(api.client.get("/access-log", params={"page": page}, headers=headers)) == ["page"]


@pytest.mark.parametrize(
    ("param", "value"), [("from", "0001-01-01T00:00:00+01:00"), ("to", "9999-12-31T23:59:59-01:00")]
)
def test_an_access_log_time_with_no_utc_equivalent_is_a_422(api: Any, param: str, value: str) -> None:
    response = api.client.get("/access-log", params={param: value}, headers=api.headers(role="auditor", region="3501"))
    assert fields(response) == [param]
    assert "out of range" in response.json()["detail"][0]["message"]
