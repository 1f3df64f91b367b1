"""POST /persons/names: the names of one page of another service's list, only within the caller's jurisdiction."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def test_names_are_given_for_the_ids_of_ones_jurisdiction_only(api_with_read_models: Any) -> None:
    api = api_with_read_models
    here = api.register(region="350102001001", name="钱多一", headers=api.headers(region="350102"))
    there = api.register(region="350103001001", name="钱多二", headers=api.headers(region="350103"))
    api.project()
    ids = [here, there, str(uuid.uuid4())]

    gulou = api.client.post("/persons/names", json={"ids": ids}, headers=api.headers(region="350102"))
    assert gulou.status_code == 200, gulou.text
    assert [(row["id"], row["name"], row["status"]) for row in gulou.json()] == [(here, "钱多一", "active")]
    assert gulou.json()[0]["region_name"]

    city = api.client.post("/persons/names", json={"ids": ids}, headers=api.headers(region="3501"))
    assert {row["name"] for row in city.json()} == {"钱多一", "钱多二"}

    too_many = api.client.post(
        "/persons/names", json={"ids": [str(uuid.uuid4()) for _ in range(201)]}, headers=api.headers()
    )
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["field"] == "ids"
    assert api.client.post("/persons/names", json={"ids": ids}).status_code == 401
