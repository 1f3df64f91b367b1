"""POST /persons/reveal: many people's ID numbers in clear for one purpose (a bank file), each read recorded in the
access log, only within the caller's jurisdiction, and refused to roles that may not reveal."""

from __future__ import annotations

from typing import Any

import pytest

from registry.domain import DataAccess

COUNTY, TOWNSHIP_A, VILLAGE_B = "350102", "350102001", "350102002001"
PURPOSE = "2026-10 发放表银行代发"


def reveals(api: Any) -> list[DataAccess]:
    found = []
    for notification in api.app.recorder.select_notifications(start=1, limit=1000):
        event = api.app.mapper.to_domain_event(notification)
        if isinstance(event, DataAccess.PersonalDataRevealed):  # type: ignore[attr-defined]
            found.append(api.app.get_or_none(event.originator_id))
    return found


def test_each_person_of_the_jurisdiction_is_revealed_and_recorded_with_the_purpose(api: Any) -> None:
    here = [api.register(), api.register()]
    elsewhere = api.register(region=VILLAGE_B, headers=api.headers(region="350102002"))
    unknown = "00000000-0000-4000-8000-000000000000"
    response = api.client.post(
        "/persons/reveal",
        json={"person_ids": [*here, elsewhere, unknown], "fields": ["id_number"], "purpose": PURPOSE},
        headers=api.headers(role="officer", region=TOWNSHIP_A, sub="officer-9"),
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert sorted(p["id"] for p in answer["persons"]) == sorted(here)
    assert all(len(p["id_number"]) == 18 and "*" not in p["id_number"] for p in answer["persons"])
    assert answer["persons"][0]["name"] == "张三"
    assert sorted(answer["missing"]) == sorted([elsewhere, unknown])  # outside looks like unknown
    recorded = reveals(api)
    assert sorted(r.person_id for r in recorded) == sorted(here)
    assert {(r.purpose, r.actor.sub, tuple(r.fields)) for r in recorded} == {(PURPOSE, "officer-9", ("id_number",))}


@pytest.mark.parametrize(
    ("body", "role", "status", "field"),
    [
        ({"fields": ["id_number"], "purpose": PURPOSE}, "approver", 403, None),  # a role that may not reveal
        ({"fields": ["id_number"], "purpose": "   "}, "officer", 422, "purpose"),
        ({"fields": ["address"], "purpose": PURPOSE}, "officer", 422, "fields"),
        ({"fields": [], "purpose": PURPOSE}, "officer", 422, "fields"),
    ],
)
def test_a_refused_reveal_says_why_and_records_nothing(
    api: Any, body: dict[str, Any], role: str, status: int, field: str | None
) -> None:
    person_id = api.register()
    before = api.app.recorder.max_notification_id()
    response = api.client.post(
        "/persons/reveal", json={"person_ids": [person_id], **body}, headers=api.headers(role=role, region=COUNTY)
    )
    assert response.status_code == status, response.text
    if field:
        assert field in response.text
    assert api.app.recorder.max_notification_id() == before
