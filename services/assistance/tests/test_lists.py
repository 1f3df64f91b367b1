"""The lists through HTTP: keyset pages (`after` = the previous page's `next`), each limited to the caller's
jurisdiction (another county sees nothing, a region outside answers 403), funds a township may apply to."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration  # read models on the MongoDB-wire server

COUNTY, TOWNSHIP, VILLAGE = "350102", "350102001", "350102001001"


def test_applications_come_a_page_at_a_time_within_the_jurisdiction(api: Any) -> None:
    fund = api.ok(
        "/funds",
        {
            "name": "临时救助",
            "kind": "temporary_hardship_aid",
            "region": COUNTY,
            "year": 2020,
            "budget_fen": 10**7,
            "rules": {"amount": {"kind": "fixed", "amount_fen": 100_000}},
        },
        "officer",
        COUNTY,
    )["id"]
    ids = []
    for number in range(3):
        person = f"00000000-0000-4000-8000-00000000000{number}"
        api.hear(api.feed.registered(person, VILLAGE))
        ids.append(api.ok("/applications", {"fund_id": fund, "person_id": person}, "station_staff", TOWNSHIP)["id"])
        api.clock.advance(minutes=1)
    api.project()

    first = api.get("/applications", "officer", COUNTY, fund_id=fund, page_size=2)
    second = api.get("/applications", "officer", COUNTY, fund_id=fund, page_size=2, after=first["next"])
    assert [item["id"] for item in first["items"] + second["items"]] == ids  # oldest first
    assert second["next"] is None
    assert first["items"][0]["waiting_for"] == "accept"
    assert api.get("/applications", "officer", "350103", fund_id=fund)["items"] == []
    outside = api.client.get("/applications", params={"region": "350103"}, headers=api.headers("officer", COUNTY))
    assert outside.status_code == 403

    # By person, status, the step waited for and region: each an equality the read model is indexed for.
    api.ok(f"/applications/{ids[1]}/accept", {}, "station_staff", TOWNSHIP)
    api.project()
    people = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(3)]
    assert [i["id"] for i in api.get("/applications", "officer", COUNTY, person_id=people[2])["items"]] == [ids[2]]
    assert [i["id"] for i in api.get("/applications", "officer", COUNTY, status="accepted")["items"]] == [ids[1]]
    waiting = api.get("/applications", "approver", COUNTY, waiting_for="approve:county")["items"]
    assert [i["id"] for i in waiting] == [ids[1]]

    def in_region(region: str) -> list[str]:
        response = api.client.get("/applications", params={"region": region}, headers=api.headers("officer", COUNTY))
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert in_region(TOWNSHIP) == ids
    assert in_region("350102002") == []

    # A township sees its county's funds (it applies to them); another county does not.
    assert [f["id"] for f in api.get("/funds", "station_staff", TOWNSHIP)["items"]] == [fund]
    assert api.get("/funds", "officer", "350103")["items"] == []
    assert api.client.get(f"/funds/{fund}", headers=api.headers("officer", "350103")).status_code == 404
