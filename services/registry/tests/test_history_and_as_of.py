"""A person's history (every change: type, time, actor, the fields it changed) and the record as it was."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.integration  # the history also lists reads in clear, from the access-log read model

COUNTY = "350102"


def history(api: Any, person_id: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    response = api.client.get(f"/persons/{person_id}/history", headers=headers or api.headers())
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_history_lists_every_change_with_type_time_actor_and_fields(api_with_read_models: Any) -> None:
    api = api_with_read_models
    id_number = api.id_number()
    person_id = api.register(id_number=id_number, phone="13812345678", address="旧地址", headers=api.headers(sub="s-1"))
    officer = api.headers(role="officer", region=COUNTY, sub="o-1")
    api.change(person_id, "contact", {"phone": "13900001234", "address": "新地址"}, headers=api.headers(sub="s-2"))
    api.change(person_id, "profile", {"housing": "租住"}, headers=officer)
    api.change(person_id, "categories", {"categories": ["demobilized_soldier"]})
    api.change(person_id, "disability", {"level": 5, "cause": "因战", "certificate_no": "C5"})
    api.change(person_id, "honours", {"title": "二等功"})
    api.change(person_id, "annual-confirmations", {"year": 2025})

    entries = history(api, person_id)
    assert [entry["type"] for entry in entries] == [
        "Registered",
        "ContactChanged",
        "ProfileUpdated",
        "CategoriesChanged",
        "DisabilityAssessed",
        "HonourAdded",
        "AnnualConfirmationRecorded",
    ]
    assert [entry["version"] for entry in entries] == list(range(1, 8))
    times = [datetime.fromisoformat(entry["at"]) for entry in entries]
    assert times == sorted(times)
    assert all(abs(datetime.now(UTC) - at) < timedelta(minutes=5) for at in times)
    assert [entry["actor"]["sub"] for entry in entries[:3]] == ["s-1", "s-2", "o-1"]
    assert entries[2]["actor"]["role"] == "officer"

    registered, contact, profile, categories, disability, honour, confirmation = (e["changes"] for e in entries)
    assert registered["name"] == "张三"
    assert registered["region"] == "350102001001"
    assert registered["birth_date"] == "1960-08-01"
    assert contact == {"phone": "139****1234", "address": "新地址"}
    assert profile == {"changes": {"housing": "租住"}}
    assert categories == {"categories": ["demobilized_soldier"]}
    assert disability == {"level": 5, "cause": "因战", "certificate_no": "C5"}
    assert honour["honour"]["title"] == "二等功"
    assert confirmation["year"] == 2025


def test_history_masks_id_and_phone_numbers(api_with_read_models: Any) -> None:
    api = api_with_read_models
    id_number = api.id_number()
    person_id = api.register(id_number=id_number, phone="13812345678")
    api.change(person_id, "contact", {"phone": "13900001234"})
    entries = history(api, person_id)
    assert entries[0]["changes"]["id_number"] == id_number[:6] + "********" + id_number[-4:]
    assert entries[0]["changes"]["phone"] == "138****5678"
    assert entries[1]["changes"]["phone"] == "139****1234"
    text = str(entries)
    for secret in (id_number, "13812345678", "13900001234"):
        assert secret not in text


def test_history_shows_a_correction_and_its_reason(api_with_read_models: Any) -> None:
    api = api_with_read_models
    person_id = api.register()
    api.change(person_id, "death", {"date": "2024-02-10"})
    officer = api.headers(role="officer", region=COUNTY, sub="officer-1")
    corrected = api.change(
        person_id, "contact", {"address": "更正地址", "correction_reason": "以户籍资料为准"}, headers=officer
    )
    assert corrected.status_code == 200, corrected.text

    entries = history(api, person_id, officer)
    assert [entry["type"] for entry in entries] == ["Registered", "Died", "ContactChanged"]
    assert entries[1]["changes"] == {"died_on": "2024-02-10"}
    assert entries[2]["correction_reason"] == "以户籍资料为准"
    assert entries[2]["actor"]["sub"] == "officer-1"
    assert entries[0]["correction_reason"] is None


def test_as_of_returns_the_record_as_it_was_before_a_later_change(api_with_read_models: Any) -> None:
    api = api_with_read_models
    person_id = api.register(phone="13812345678", address="旧地址", categories=["discharged_soldier"])
    registered_at = history(api, person_id)[0]["at"]
    api.change(person_id, "contact", {"phone": "13900001234", "address": "新地址"})
    api.change(person_id, "categories", {"categories": ["demobilized_soldier"]})
    api.change(person_id, "death", {"date": "2025-01-01"})
    entries = history(api, person_id)
    contact_at = entries[1]["at"]

    then = api.get(person_id, as_of=registered_at)
    assert then["address"] == "旧地址"
    assert then["phone"] == "138****5678"
    assert then["categories"] == ["discharged_soldier"]
    assert then["status"] == "active"
    assert then["version"] == 1

    after_contact = api.get(person_id, as_of=contact_at)
    assert after_contact["address"] == "新地址"
    assert after_contact["categories"] == ["discharged_soldier"]
    assert after_contact["version"] == 2

    now = api.get(person_id)
    assert now["address"] == "新地址"
    assert now["categories"] == ["demobilized_soldier"]
    assert now["status"] == "deceased"
    assert now["version"] == 4


def test_as_of_accepts_a_time_in_china_and_before_registration_is_404(api_with_read_models: Any) -> None:
    api = api_with_read_models
    person_id = api.register(address="旧地址")
    registered_at = datetime.fromisoformat(history(api, person_id)[0]["at"])
    api.change(person_id, "contact", {"address": "新地址"})

    in_china = registered_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert in_china.isoformat().endswith("+08:00")
    assert api.get(person_id, as_of=in_china.isoformat())["address"] == "旧地址"

    before = (registered_at - timedelta(seconds=1)).isoformat()
    response = api.client.get(f"/persons/{person_id}", params={"as_of": before}, headers=api.headers())
    assert response.status_code == 404


def test_as_of_with_reveal_shows_the_old_phone_number_in_clear(api_with_read_models: Any) -> None:
    api = api_with_read_models
    person_id = api.register(phone="13812345678")
    registered_at = history(api, person_id)[0]["at"]
    api.change(person_id, "contact", {"phone": "13900001234"})
    then = api.get(person_id, headers=api.headers(purpose="check old number"), as_of=registered_at, reveal="phone")
    assert then["phone"] == "13812345678"


def test_as_of_is_limited_to_the_jurisdiction(api_with_read_models: Any) -> None:
    api = api_with_read_models
    person_id = api.register(birth=date(1950, 1, 1))
    at = history(api, person_id)[0]["at"]
    response = api.client.get(f"/persons/{person_id}", params={"as_of": at}, headers=api.headers(region="350102002"))
    assert response.status_code == 404
