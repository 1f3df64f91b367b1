"""The worker's log consumers share each decrypted event: moving an aggregate forward must leave its events as read."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from vet_common.states import AggregateStates

COUNTY, TOWNSHIP_B, VILLAGE_B = "350102", "350102002", "350102002001"


def test_applying_the_log_to_aggregates_changes_none_of_its_events(api: Any) -> None:
    officer = api.headers(role="officer", region=COUNTY, sub="officer-1")
    veteran = api.register(name="李志强", birth=date(1950, 1, 1))
    widow = api.register(name="陈桂兰", birth=date(1952, 3, 3), sex="female", categories=["active_duty_family"])
    changes = [
        (widow, "categories", {"categories": ["active_duty_family"]}),
        (widow, "survivors", {"veteran_id": veteran, "relation": "spouse", "category": "martyr_survivor"}),
        (widow, "honours", {"title": "光荣之家"}),
        (widow, "profile", {"housing": "自有"}),
        (widow, "profile", {"family_life": "独居"}),
        (veteran, "contact", {"phone": "13900001234", "address": "新地址"}),
        (veteran, "disability", {"level": 4, "cause": "因战", "certificate_no": "C4"}),
        (veteran, "key-contacts", {"reason": "unemployed"}),
        (veteran, "certificates", {"action": "apply_preferential_card"}),
        (veteran, "certificates", {"action": "issue_preferential_card", "number": "YD9"}),
        (veteran, "annual-confirmations", {"year": 2025}),
        (veteran, "death", {"date": "2025-12-01"}),
    ]
    for person_id, route, body in changes:
        response = api.change(person_id, route, body)
        assert response.status_code in (200, 201, 204), (route, response.text)
    corrected = api.change(veteran, "contact", {"address": "更正", "correction_reason": "录入错误"}, headers=officer)
    assert corrected.status_code == 200, corrected.text
    transfer = api.client.post(
        "/transfers", json={"person_id": widow, "to_region": VILLAGE_B, "reason": "搬迁"}, headers=api.headers()
    ).json()["id"]
    api.client.post(f"/transfers/{transfer}/accept", json={}, headers=api.headers(region=TOWNSHIP_B))

    notifications = api.app.process_recorder.select_notifications(0, 1000)
    events = [api.app.mapper.to_domain_event(n) for n in notifications]
    as_read = [copy.deepcopy(vars(event)) for event in events]
    states = AggregateStates(api.app)  # as the relay's translator and the projection each keep one
    for event in events:
        states.after(event)
    assert len(events) > 20
    assert [vars(event) for event in events] == as_read
