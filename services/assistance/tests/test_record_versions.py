"""A change to one record through HTTP (api.deps.Change): the named command runs with the caller's If-Match, the
answer carries the record's ETag, a stale version is 412 and a record outside the caller's jurisdiction 404,
both recording nothing."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration  # read models on the MongoDB-wire server

COUNTY, TOWNSHIP, VILLAGE = "350102", "350102001", "350102001001"
PERSON = "0b6f3c2e-5555-4a5b-8c9d-000000000080"
FUND = {
    "name": "2026年临时困难救助",
    "kind": "temporary_hardship_aid",
    "region": COUNTY,
    "year": 2026,
    "budget_fen": 10_000_000,
    "rules": {"amount": {"kind": "fixed", "amount_fen": 160_000}},
}


def test_steps_answer_the_etag_and_refuse_a_stale_version_or_another_jurisdiction(api: Any) -> None:
    api.clock.set(api.clock.today().replace(year=2026, month=8, day=3))
    fund = api.ok("/funds", FUND, "officer", COUNTY)["id"]
    api.hear(api.feed.registered(PERSON, VILLAGE))
    body = {"fund_id": fund, "person_id": PERSON, "on_behalf_of": True, "documents": ["申请表"]}
    application = api.ok("/applications", body, "station_staff", TOWNSHIP)["id"]
    read = api.client.get(f"/applications/{application}", headers=api.headers("station_staff", TOWNSHIP))
    assert read.headers["ETag"] == f'"{read.json()["version"]}"'

    recorded = api.recorded()
    stale = api.post(f"/applications/{application}/accept", {}, "station_staff", TOWNSHIP, **{"If-Match": '"0"'})
    assert stale.status_code == 412, stale.text
    assert "记录已被他人修改" in stale.json()["detail"]
    elsewhere = api.post(f"/applications/{application}/accept", {}, "station_staff", "350103001")
    assert elsewhere.status_code == 404, elsewhere.text
    assert api.recorded() == recorded  # neither recorded anything

    current = read.headers["ETag"]
    accepted = api.post(f"/applications/{application}/accept", {}, "station_staff", TOWNSHIP, **{"If-Match": current})
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["ETag"] == f'"{accepted.json()["version"]}"' != current

    budget = {"budget_fen": 20_000_000, "reason": "年中追加预算"}
    assert api.post(f"/funds/{fund}/budget", budget, "officer", COUNTY, **{"If-Match": '"99"'}).status_code == 412
    changed = api.post(f"/funds/{fund}/budget", budget, "officer", COUNTY)
    assert (changed.status_code, changed.json()["budget_fen"]) == (200, 20_000_000)
    assert changed.headers["ETag"] == f'"{changed.json()["version"]}"'
