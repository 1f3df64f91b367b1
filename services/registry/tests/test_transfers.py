"""Transfers: requested by the sending jurisdiction, accepted or rejected only by the receiving one."""

from __future__ import annotations

from typing import Any

TOWNSHIP_A, VILLAGE_A = "350102001", "350102001001"
TOWNSHIP_B, VILLAGE_B = "350102002", "350102002001"
TOWNSHIP_C = "350102003"
OTHER_COUNTY, OTHER_COUNTY_VILLAGE = "350103", "350103001001"


def request(api: Any, person_id: str, to_region: str = VILLAGE_B, headers: dict[str, str] | None = None) -> Any:
    return api.client.post(
        "/transfers",
        json={"person_id": person_id, "to_region": to_region, "reason": "随子女迁居"},
        headers=headers or api.headers(region=TOWNSHIP_A),
    )


def requested(api: Any, person_id: str, to_region: str = VILLAGE_B) -> str:
    response = request(api, person_id, to_region)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_accepted_by_the_receiving_township_the_person_moves_there(api: Any) -> None:
    person_id = api.register()
    transfer_id = requested(api, person_id)
    assert api.get(person_id)["pending_transfer"] == transfer_id

    accepted = api.client.post(f"/transfers/{transfer_id}/accept", headers=api.headers(region=TOWNSHIP_B))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["from_region"] == VILLAGE_A
    assert accepted.json()["to_region"] == VILLAGE_B

    person = api.get(person_id, headers=api.headers(region=TOWNSHIP_B))
    assert person["region"] == VILLAGE_B
    assert person["pending_transfer"] is None
    assert api.client.get(f"/persons/{person_id}", headers=api.headers(region=TOWNSHIP_A)).status_code == 404
    # The new township may now change the record; the old one may not.
    assert (
        api.change(person_id, "profile", {"housing": "新居"}, headers=api.headers(region=TOWNSHIP_B)).status_code == 200
    )
    assert (
        api.change(person_id, "profile", {"housing": "旧居"}, headers=api.headers(region=TOWNSHIP_A)).status_code == 404
    )


def test_a_transfer_to_another_county(api: Any) -> None:
    person_id = api.register()
    transfer_id = requested(api, person_id, OTHER_COUNTY_VILLAGE)
    accepted = api.client.post(f"/transfers/{transfer_id}/accept", headers=api.headers(region=OTHER_COUNTY))
    assert accepted.status_code == 200, accepted.text
    assert api.get(person_id, headers=api.headers(region=OTHER_COUNTY))["region"] == OTHER_COUNTY_VILLAGE
    assert api.client.get(f"/persons/{person_id}", headers=api.headers(region="350102")).status_code == 404


def test_the_sending_side_cannot_accept_its_own_request(api: Any) -> None:
    person_id = api.register()
    transfer_id = requested(api, person_id)
    response = api.client.post(f"/transfers/{transfer_id}/accept", headers=api.headers(region=TOWNSHIP_A))
    assert response.status_code == 403
    rejected = api.client.post(f"/transfers/{transfer_id}/reject", json={}, headers=api.headers(region=TOWNSHIP_A))
    assert rejected.status_code == 403
    assert api.get(person_id)["region"] == VILLAGE_A


def test_a_third_region_sees_no_such_transfer(api: Any) -> None:
    person_id = api.register()
    transfer_id = requested(api, person_id)
    third = api.headers(region=TOWNSHIP_C)
    assert api.client.post(f"/transfers/{transfer_id}/accept", headers=third).status_code == 404
    assert api.client.post(f"/transfers/{transfer_id}/reject", json={}, headers=third).status_code == 404
    assert api.client.get(f"/transfers/{transfer_id}", headers=third).status_code == 404
    assert api.client.get(f"/transfers/{transfer_id}", headers=api.headers(region=TOWNSHIP_A)).status_code == 200
    assert api.client.get(f"/transfers/{transfer_id}", headers=api.headers(region=TOWNSHIP_B)).status_code == 200


def test_only_the_sending_jurisdiction_can_request(api: Any) -> None:
    person_id = api.register()
    response = request(api, person_id, headers=api.headers(region=TOWNSHIP_B))
    assert response.status_code == 404
    assert api.get(person_id)["pending_transfer"] is None


def test_rejection_leaves_the_region_and_allows_a_new_request(api: Any) -> None:
    person_id = api.register()
    transfer_id = requested(api, person_id)
    rejected = api.client.post(
        f"/transfers/{transfer_id}/reject", json={"note": "查无此地址"}, headers=api.headers(region=TOWNSHIP_B)
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "查无此地址"
    person = api.get(person_id)
    assert person["region"] == VILLAGE_A
    assert person["pending_transfer"] is None
    assert api.client.get(f"/persons/{person_id}", headers=api.headers(region=TOWNSHIP_B)).status_code == 404
    # Once decided, a transfer cannot be decided again.
    again = api.client.post(f"/transfers/{transfer_id}/accept", headers=api.headers(region=TOWNSHIP_B))
    assert again.status_code == 422
    assert api.get(person_id)["region"] == VILLAGE_A
    requested(api, person_id)


def test_a_second_pending_transfer_is_refused(api: Any) -> None:
    person_id = api.register()
    first = requested(api, person_id)
    second = request(api, person_id, to_region=OTHER_COUNTY_VILLAGE)
    assert second.status_code == 409, second.text
    assert api.get(person_id)["pending_transfer"] == first


def test_a_transfer_to_the_current_region_or_an_unknown_one_is_refused(api: Any) -> None:
    person_id = api.register()
    assert request(api, person_id, to_region=VILLAGE_A).status_code == 422
    assert request(api, person_id, to_region="991234567890").status_code == 422
    assert api.get(person_id)["pending_transfer"] is None


def test_a_deceased_person_cannot_be_transferred(api: Any) -> None:
    person_id = api.register()
    api.change(person_id, "death", {"date": "2025-01-01"})
    assert request(api, person_id).status_code == 409


def test_death_cancels_a_pending_transfer_which_can_then_not_be_accepted(api: Any) -> None:
    person_id = api.register()
    transfer_id = requested(api, person_id)
    api.change(person_id, "death", {"date": "2025-01-01"})
    response = api.client.post(f"/transfers/{transfer_id}/accept", headers=api.headers(region=TOWNSHIP_B))
    assert response.status_code == 422
    assert api.get(person_id)["region"] == VILLAGE_A


def test_the_relay_emits_person_transferred_with_both_regions(api: Any) -> None:
    person_id = api.register()
    rejected_id = requested(api, person_id)
    api.client.post(f"/transfers/{rejected_id}/reject", json={}, headers=api.headers(region=TOWNSHIP_B))
    transfer_id = requested(api, person_id)
    api.client.post(f"/transfers/{transfer_id}/accept", headers=api.headers(region=TOWNSHIP_B, sub="receiver"))

    events = api.published()
    transferred = [event for event in events if event.type == "PersonTransferred"]
    assert len(transferred) == 1
    event = transferred[0]
    assert event.aggregate_id == person_id
    assert event.region == VILLAGE_B
    assert event.actor.sub == "receiver"
    assert event.data["transfer_id"] == transfer_id
    assert event.data["from_region"] == VILLAGE_A
    assert event.data["to_region"] == VILLAGE_B
    assert event.data["person_id"] == person_id
    # Requests and rejections stay inside the registry.
    assert [e.type for e in events] == ["PersonRegistered", "PersonTransferred"]
