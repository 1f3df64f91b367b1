"""A consumer parses any published event into its typed model without importing the publishing service."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest

from vet_contracts import (
    PUBLISHED,
    Actor,
    ContractError,
    IntegrationEvent,
    MalformedEvent,
    UnknownEventType,
    events_of,
    json_schemas,
    parse,
    registry,
)

FACTS = {
    "person_id": "p-1",
    "categories": ["discharged_soldier"],
    "key_contact_reasons": [],
    "status": "deceased",
    "birth_year": 1950,
    "sex": "female",
    "household": "rural",
    "disability_level": None,
}


def envelope(type_: str = "PersonDied", data: dict[str, Any] | None = None, **fields: Any) -> IntegrationEvent:
    return IntegrationEvent.build(
        type=type_,
        source="registry",
        source_position=7,
        aggregate_id="p-1",
        aggregate_version=3,
        occurred_at=datetime(2026, 8, 1, 9, 30, tzinfo=UTC),
        actor=Actor(sub="staff-1", role="station_staff"),
        region="350102001001",
        data={**FACTS, "died_on": "2026-07-30"} if data is None else data,
        **fields,
    )


def test_parse_gives_the_typed_event_from_bytes_or_envelope() -> None:
    raw = envelope()
    for given in (raw.to_bytes(), raw.to_bytes().decode(), raw):
        event = parse(given)
        assert isinstance(event, registry.PersonDied)
        assert event.data.died_on == "2026-07-30"
        assert event.data.status == "deceased"
        assert event.region == "350102001001"


def test_the_typed_event_is_the_same_on_the_wire() -> None:
    raw = envelope()
    event = parse(raw.to_bytes())
    assert event.to_bytes() == raw.to_bytes()
    assert event.headers() == raw.headers()
    assert event.canonical_json() == raw.canonical_json()


def test_an_unknown_type_or_schema_version_is_named() -> None:
    with pytest.raises(UnknownEventType, match="PersonCloned") as unknown:
        parse(envelope("PersonCloned").to_bytes())
    assert (unknown.value.event_type, unknown.value.schema_version) == ("PersonCloned", 1)
    with pytest.raises(UnknownEventType, match="schema_version 2"):
        parse(envelope(schema_version=2).to_bytes())


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        json.dumps({"type": "PersonDied"}).encode(),  # not an envelope
        envelope(data={"person_id": "p-1"}).to_bytes(),  # data does not fit PersonDied
        envelope(data={**FACTS, "died_on": None}).to_bytes(),
    ],
)
def test_a_malformed_message_is_named_and_is_not_a_value_error(body: bytes) -> None:
    with pytest.raises(MalformedEvent) as malformed:
        parse(body)
    # The subscriber dead-letters ContractError at once and retries other errors: bugs often are ValueError.
    assert isinstance(malformed.value, ContractError)
    assert not isinstance(malformed.value, ValueError)


def test_every_event_type_has_a_schema_that_its_parsed_form_validates_against() -> None:
    schemas = json_schemas()
    assert set(schemas) == {name for service in PUBLISHED for name in events_of(service)}
    event = parse(envelope().to_bytes())
    jsonschema.validate(json.loads(event.to_bytes()), schemas["PersonDied"])
    for name, schema in schemas.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["title"] == f"{name}Event"
        assert schema["properties"]["type"]["const"] == name


def test_each_service_publishes_its_own_types() -> None:
    assert len(events_of("registry")) == 12
    assert {"ContactRecorded", "RequestRegistered", "RequestClosed", "RequestEscalated"} <= set(events_of("outreach"))
    campaigns = {
        "CampaignLaunched",
        "TargetListFrozen",
        "CampaignSummarySubmitted",
        "CampaignSummaryApproved",
        "CampaignSummaryReturned",
    }
    assert campaigns <= set(events_of("outreach"))
    contacts = {"ContactRecorded", "ContactCorrected", "ContactWithdrawn", "PairingStarted", "PairingEnded"}
    assert contacts <= set(events_of("outreach"))
    assert list(events_of("assistance"))[:3] == ["FundCreated", "FundBudgetChanged", "FundRulesVersioned"]
    assert len(events_of("assistance")) == 18
    assert events_of("reporting") == {}


# Field names that would mean personal data. A fund's `name` is the programme's, not a person's.
PERSONAL = ("id_number", "name", "phone", "address", "notes")
ALLOWED = {("FundCreated", "name")}


def test_no_event_has_a_field_for_personal_data() -> None:
    for service in PUBLISHED:
        for name, event in events_of(service).items():
            for field in event.data_model().model_fields:
                if (name, field) not in ALLOWED:
                    assert not any(word in field for word in PERSONAL), f"{name}.data.{field}"


def test_a_single_deployments_message_is_what_consumers_before_federation_expect() -> None:
    """`deployment` came later: left out while empty, so a consumer whose envelope model forbids unknown
    fields (as this package's did) still reads every message a single deployment sends."""
    single = envelope()
    assert "deployment" not in json.loads(single.to_bytes())
    assert "deployment" not in json.loads(single.canonical_json())
    assert single.event_id == envelope().event_id  # the id of a single deployment's event did not change


def test_a_federated_deployment_names_itself_in_the_message_and_the_id() -> None:
    city, province = envelope(deployment="3501"), envelope(deployment="35")
    assert json.loads(city.to_bytes())["deployment"] == "3501"
    assert IntegrationEvent.from_bytes(city.to_bytes()) == city
    assert len({city.event_id, province.event_id, envelope().event_id}) == 3
    assert (city.upstream, province.upstream, envelope().upstream) == ("3501:registry", "35:registry", "registry")


def test_the_canonical_body_is_the_canonical_json_without_the_text() -> None:
    """The archive stores canonical_body() (it stored the canonical text read back): the same values, for a plain
    envelope, a federated deployment's and a typed event's (dates, nested data models)."""
    for event in (envelope(), envelope(deployment="3501"), parse(envelope().to_bytes())):
        assert event.canonical_body() == json.loads(event.canonical_json())
