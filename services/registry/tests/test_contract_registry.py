"""The registry's 12 integration events: each produced by a command, valid against its JSON Schema, carrying the
region, and free of personal data (ID number, name, phone number, address)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import jsonschema
import pytest

from registry.alerts import AlertSubject, alerts_for
from registry.service import definition
from vet_common.asyncapi import event_json_schemas
from vet_common.regions import validate_region_code
from vet_contracts import IntegrationEvent

EVENT_TYPES = [
    "PersonRegistered",
    "PersonUpdated",
    "CategoriesChanged",
    "KeyContactDesignated",
    "KeyContactRemoved",
    "DisabilityAssessed",
    "CertificateIssued",
    "AnnualConfirmationRecorded",
    "PersonTransferred",
    "PersonDied",
    "SurvivorLinked",
    "EligibilityAlertRaised",
]
TOWNSHIP_B, VILLAGE_B = "350102002", "350102002001"
NAMES = ("欧阳娜娜", "司马相如", "上官婉儿")
PHONES = ("13812345678", "13987654321", "0591-87654321")
ADDRESSES = ("福州市鼓楼区乌山路 17 号", "福州市鼓楼区湖东路 99 号", "鼓西街道西洪路 5 号")


def every_kind_of_change(api: Any) -> dict[str, Any]:
    """Commands that between them produce every public event type; returns the personal data used."""
    officer = api.headers(role="officer", region="350102", sub="officer-1")
    id_numbers = [api.id_number(date(1966, 7, 15)), api.id_number(date(1940, 1, 1)), api.id_number(date(1966, 7, 15))]
    veteran = api.register(
        id_number=id_numbers[0],
        name=NAMES[0],
        phone=PHONES[0],
        address=ADDRESSES[0],
        household="rural",
        ethnicity="汉族",
        service={"enlisted_on": "1984-12", "discharged_on": "1988-10", "branch": "陆军", "rank": "上士"},
    )
    widow = api.register(
        id_number=id_numbers[1],
        name=NAMES[1],
        phone=PHONES[1],
        address=ADDRESSES[1],
        categories=["active_duty_family"],
    )
    twin = api.register(id_number=id_numbers[2], name=NAMES[2], phone=PHONES[2], address=ADDRESSES[2])

    def ok(response: Any) -> None:
        assert response.status_code in (200, 201, 204), response.text

    ok(api.change(veteran, "profile", {"difficulties": f"{NAMES[0]}家 {ADDRESSES[0]} 房屋漏水"}))
    ok(api.change(veteran, "contact", {"phone": PHONES[1], "address": ADDRESSES[2]}))
    ok(api.change(veteran, "service-record", {"enlisted_on": "1984-12", "branch": "海军"}))
    ok(api.change(veteran, "honours", {"title": "二等功"}))
    ok(api.change(veteran, "categories", {"categories": ["discharged_soldier", "disabled_soldier"]}))
    ok(api.change(veteran, "key-contacts", {"reason": "living_in_difficulty", "note": "独居"}))
    ok(api.change(veteran, "key-contacts", {"action": "remove", "reason": "living_in_difficulty"}))
    ok(api.change(veteran, "disability", {"level": 5, "cause": "因战", "certificate_no": "闽残 123"}))
    ok(api.change(veteran, "certificates", {"action": "replace_disability_certificate", "number": "新 123"}))
    ok(api.change(veteran, "certificates", {"action": "apply_preferential_card"}))
    ok(api.change(veteran, "certificates", {"action": "issue_preferential_card", "number": "YD-1"}))
    ok(api.change(veteran, "annual-confirmations", {"year": 2025}))
    ok(
        api.change(
            widow, "survivors", {"veteran_id": veteran, "relation": "spouse", "category": "illness_death_survivor"}
        )
    )
    ok(api.change(widow, "death", {"date": "2025-02-02"}))
    ok(api.change(widow, "contact", {"address": ADDRESSES[0], "correction_reason": "更正"}, headers=officer))
    transfer = api.client.post(
        "/transfers", json={"person_id": twin, "to_region": VILLAGE_B, "reason": "搬迁"}, headers=api.headers()
    )
    ok(transfer)
    ok(api.client.post(f"/transfers/{transfer.json()['id']}/accept", headers=api.headers(region=TOWNSHIP_B)))

    # The daily alert run, for the rural veteran turning 60 (the scan itself is tested in test_alerts_api).
    person = api.app.get_person(UUID(veteran))
    subject = AlertSubject(
        person_id=veteran,
        region=person.region,
        birth_date=person.birth_date,
        household=person.household,
        categories=frozenset(person.categories),
    )
    found = alerts_for(subject, date(2026, 6, 1))
    assert api.app.raise_alerts(
        {"person_id": a.person_id, "region": a.region, "kind": a.kind.value, "occasion": a.occasion,
         "due_on": a.due_on, "message": a.message}
        for a in found
    ) >= 1  # fmt: skip
    return {"id_numbers": id_numbers, "person_ids": [veteran, widow, twin]}


@pytest.fixture
def scenario(api: Any) -> tuple[list[IntegrationEvent], dict[str, Any]]:
    used = every_kind_of_change(api)
    return api.published(), used


def test_every_public_event_type_is_produced(scenario: tuple[list[IntegrationEvent], dict[str, Any]]) -> None:
    events, _ = scenario
    assert set(EVENT_TYPES) == set(definition.event_schemas)
    assert sorted({event.type for event in events}) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_event_validates_against_its_json_schema(
    scenario: tuple[list[IntegrationEvent], dict[str, Any]], event_type: str
) -> None:
    events, _ = scenario
    schema = event_json_schemas(definition)[event_type]
    of_type = [event for event in events if event.type == event_type]
    assert of_type, f"no {event_type} was published"
    for event in of_type:
        jsonschema.validate(json.loads(event.to_bytes()), schema)


def test_the_schema_rejects_an_event_missing_its_data(scenario: tuple[list[IntegrationEvent], dict[str, Any]]) -> None:
    events, _ = scenario
    event = json.loads(next(e for e in events if e.type == "PersonTransferred").to_bytes())
    del event["data"]["to_region"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event, event_json_schemas(definition)["PersonTransferred"])


def test_every_event_carries_its_region(api: Any, scenario: tuple[list[IntegrationEvent], dict[str, Any]]) -> None:
    events, used = scenario
    veteran, widow, twin = used["person_ids"]
    for event in events:
        assert validate_region_code(event.region) == event.region
        assert event.region.startswith("350102")
    regions = {(e.aggregate_id, e.type): e.region for e in events}
    assert regions[(twin, "PersonRegistered")] == "350102001001"
    assert regions[(twin, "PersonTransferred")] == VILLAGE_B
    assert regions[(widow, "PersonDied")] == "350102001001"
    alert = next(e for e in events if e.type == "EligibilityAlertRaised")
    assert alert.data["person_id"] == veteran
    assert alert.region == "350102001001"


def test_no_event_contains_personal_data(scenario: tuple[list[IntegrationEvent], dict[str, Any]]) -> None:
    events, used = scenario
    secrets = [
        *used["id_numbers"],
        *(number.lower() for number in used["id_numbers"]),
        *(number[6:14] + number[14:17] for number in used["id_numbers"]),  # birth date and order code
        *NAMES,
        *PHONES,
        *(phone.replace("-", "") for phone in PHONES),
        *ADDRESSES,
        "乌山路",
        "湖东路",
        "西洪路",
    ]
    assert len(events) >= 20
    for event in events:
        text = event.to_bytes().decode("utf-8") + json.dumps(event.model_dump(mode="json"), ensure_ascii=False)
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, f"{event.type} carries personal data: {leaked}"


def test_the_asyncapi_document_describes_every_event_type(api: Any) -> None:
    response = api.client.get("/contract/asyncapi.json", headers=api.headers())
    assert response.status_code == 200, response.text
    text = json.dumps(response.json(), ensure_ascii=False)
    missing = [event_type for event_type in EVENT_TYPES if f":{event_type}" not in text]
    assert not missing
