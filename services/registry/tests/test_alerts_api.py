"""Policy alerts with a fixed clock: raised once per person and occasion, listed by GET /alerts, published once;
they follow their person through a transfer, a death and its correction, and a merger."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from registry.alert_scan import raise_due_alerts
from registry.domain import DuplicateCase
from vet_common.domain import Actor

pytestmark = pytest.mark.integration

TODAY = date(2026, 6, 1)
TURNS_60_SOON = date(1966, 7, 15)  # 60 on 2026-07-15: 44 days after TODAY
TURNS_60_LATER = date(1966, 10, 15)  # 60 on 2026-10-15: 136 days after TODAY
COUNTY = "350102"
TOWNSHIP_B, VILLAGE_B = "350102002", "350102002001"


@pytest.fixture
def frozen_today(api_with_read_models: Any) -> date:
    """'Today' in China is TODAY for the alert routes and the record views."""
    api_with_read_models.freeze(TODAY)
    return TODAY


def alerts(api: Any, headers: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/alerts", params=params, headers=headers or api.headers(region=COUNTY))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def raise_alerts(api: Any, today: date = TODAY) -> int:
    api.project()
    raised = api.with_read_models(lambda db: raise_due_alerts(api.app, db, today))
    api.project()
    return int(raised)


def test_a_rural_veteran_turning_60_within_90_days_gets_one_alert(
    api_with_read_models: Any, frozen_today: date
) -> None:
    api = api_with_read_models
    soon = api.register(name="甲", birth=TURNS_60_SOON, household="rural")
    api.register(name="乙", birth=TURNS_60_SOON, household="urban")  # not on a rural register
    api.register(name="丙", birth=TURNS_60_SOON, household="rural", categories=["active_duty_family"])  # no veteran
    api.register(name="丁", birth=TURNS_60_LATER, household="rural")  # too far ahead

    assert raise_alerts(api) == 1
    listed = alerts(api)
    assert len(listed) == 1
    alert = listed[0]
    assert alert["person_id"] == soon
    assert alert["kind"] == "rural_veteran_turning_60"
    assert alert["kind_name"] == "农村籍退役军人年满60周岁"
    assert alert["due_on"] == "2026-07-15"
    assert alert["occasion"] == "2026-07-15"
    assert "200" in alert["message"]
    assert alert["region"] == "350102001001"

    # Running again, even on later days, raises nothing new.
    assert raise_alerts(api) == 0
    assert raise_alerts(api, date(2026, 6, 15)) == 0
    assert [a["id"] for a in alerts(api)] == [alert["id"]]


def test_the_relay_publishes_eligibility_alert_raised_once(api_with_read_models: Any, frozen_today: date) -> None:
    api = api_with_read_models
    person_id = api.register(birth=TURNS_60_SOON, household="rural")
    raise_alerts(api)
    raise_alerts(api)

    events = [event for event in api.published() if event.type == "EligibilityAlertRaised"]
    assert len(events) == 1
    event = events[0]
    assert event.region == "350102001001"
    assert event.data == {
        "person_id": person_id,
        "kind": "rural_veteran_turning_60",
        "occasion": "2026-07-15",
        "due_on": "2026-07-15",
    }
    assert event.actor.sub == "system"


def test_alerts_are_filtered_by_kind_days_ahead_and_jurisdiction(api_with_read_models: Any, frozen_today: date) -> None:
    api = api_with_read_models
    api.register(name="甲", birth=TURNS_60_SOON, household="rural")
    api.register(name="乙", birth=date(1946, 8, 20), region=VILLAGE_B)  # 80 on 2026-08-20: 80 days ahead
    raise_alerts(api)

    assert {a["kind"] for a in alerts(api)} == {"rural_veteran_turning_60", "turning_80"}
    assert [a["kind"] for a in alerts(api, kind="turning_80")] == ["turning_80"]
    assert [a["due_on"] for a in alerts(api, within_days=60)] == ["2026-07-15"]
    assert alerts(api, within_days=30) == []
    assert [a["kind"] for a in alerts(api, headers=api.headers(region=TOWNSHIP_B))] == ["turning_80"]
    assert [a["kind"] for a in alerts(api, region=TOWNSHIP_B)] == ["turning_80"]


def test_an_officer_runs_the_alerts_on_demand_for_their_jurisdiction(
    api_with_read_models: Any, frozen_today: date
) -> None:
    api = api_with_read_models
    api.register(name="甲", birth=TURNS_60_SOON, household="rural")
    api.register(name="乙", birth=TURNS_60_SOON, household="rural", region=VILLAGE_B)
    api.project()

    assert api.client.post("/alerts/run", headers=api.headers()).status_code == 403  # station staff
    officer_b = api.headers(role="officer", region=TOWNSHIP_B)
    run = api.client.post("/alerts/run", headers=officer_b)
    assert run.status_code == 200, run.text
    assert run.json() == {"raised": 1}
    assert api.client.post("/alerts/run", headers=officer_b).json() == {"raised": 0}
    api.project()
    assert [a["region"] for a in alerts(api)] == [VILLAGE_B]


def test_nobody_deceased_gets_an_alert(api_with_read_models: Any, frozen_today: date) -> None:
    api = api_with_read_models
    person_id = api.register(birth=TURNS_60_SOON, household="rural")
    api.change(person_id, "death", {"date": "2026-05-01"})
    assert raise_alerts(api) == 0
    assert alerts(api) == []


def test_an_alert_moves_with_a_transferred_person(api_with_read_models: Any, frozen_today: date) -> None:
    api = api_with_read_models
    person_id = api.register(birth=TURNS_60_SOON, household="rural")
    raise_alerts(api)
    transfer = api.client.post(
        "/transfers", json={"person_id": person_id, "to_region": VILLAGE_B, "reason": "搬迁"}, headers=api.headers()
    ).json()["id"]
    api.client.post(f"/transfers/{transfer}/accept", headers=api.headers(region=TOWNSHIP_B))
    api.project()
    assert alerts(api, headers=api.headers(region="350102001")) == []
    assert [a["person_id"] for a in alerts(api, headers=api.headers(region=TOWNSHIP_B))] == [person_id]


def test_an_alert_lapses_with_death_and_comes_back_when_the_death_is_corrected(
    api_with_read_models: Any, frozen_today: date
) -> None:
    api = api_with_read_models
    person_id = api.register(birth=TURNS_60_SOON, household="rural")
    raise_alerts(api)
    assert api.change(person_id, "profile", {"housing": "自有住房"}).status_code == 200
    api.project()
    assert [a["person_id"] for a in alerts(api)] == [person_id]

    assert api.change(person_id, "death", {"date": "2026-05-01"}).status_code == 200
    api.project()
    assert alerts(api) == []

    officer = api.headers(role="officer", region=COUNTY)
    corrected = api.change(person_id, "death", {"date": None, "correction_reason": "误报去世"}, headers=officer)
    assert corrected.status_code == 200, corrected.text
    api.project()
    assert [a["person_id"] for a in alerts(api)] == [person_id]


def test_an_alert_lapses_when_its_person_is_merged_into_another(api_with_read_models: Any, frozen_today: date) -> None:
    api = api_with_read_models
    kept = api.register(name="王建国", birth=TURNS_60_SOON, household="rural")
    merged = api.register(name="王建国", birth=TURNS_60_SOON, household="rural")
    raise_alerts(api)
    assert sorted(a["person_id"] for a in alerts(api)) == sorted([kept, merged])

    api.app.flag_possible_duplicate([kept, merged], "350102001001", "王建国", TURNS_60_SOON)
    case_id = DuplicateCase.create_id([kept, merged])
    api.app.merge_duplicates(case_id, UUID(kept), "同一人", Actor(sub="officer-1", role="officer"))
    api.project()
    assert [a["person_id"] for a in alerts(api)] == [kept]
