"""The public contract: every published event type has a JSON Schema, appears in AsyncAPI, and what the
relay actually produces validates against it. No personal data leaves the registry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jsonschema
import pytest

from assistance.service import definition as assistance
from outreach.service import definition as outreach
from registry.application import Registration
from registry.service import definition as registry
from reporting.service import definition as reporting
from vet_common.asyncapi import asyncapi_document, event_json_schemas
from vet_common.idnumber import make_id_number
from vet_common.relay import InMemoryPublisher, Relay
from vet_common.service import ServiceDefinition
from vet_common.settings import Settings
from vet_contracts import event_id_for

PUBLISHERS = [registry, outreach, assistance]


@pytest.mark.parametrize("definition", PUBLISHERS, ids=lambda d: d.name)
def test_every_event_type_is_in_the_asyncapi_document(definition: ServiceDefinition) -> None:
    document = asyncapi_document(definition, Settings.for_service(definition.name))
    assert definition.event_schemas
    for event_type in definition.event_schemas:
        channel = document["channels"][f"vet.{definition.name}.v1:{event_type}"]
        assert channel["address"] == f"vet.{definition.name}.v1"
        assert f"{event_type}Event" in document["components"]["schemas"]


def test_reporting_documents_that_it_consumes_every_topic() -> None:
    document = asyncapi_document(reporting, Settings.for_service("reporting"))
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {"vet.registry.v1", "vet.outreach.v1", "vet.assistance.v1"}


async def test_what_the_registry_publishes_validates_and_carries_no_personal_data(tmp_path: Path) -> None:
    application = registry.application_class(Settings.for_service("registry", data_dir=tmp_path))
    id_number = make_id_number("350102", date(1950, 8, 1), 7, "female")
    application.register_person(  # type: ignore[attr-defined]
        Registration(
            id_number=id_number,
            name="林秀英",
            sex="female",
            birth_date=date(1950, 8, 1),
            region="350102001001",
            categories=["martyr_survivor"],
        ),
        {"sub": "staff-1", "role": "station_staff"},
    )
    publisher = InMemoryPublisher()
    await Relay(application, registry.translator_factory(application), publisher, "vet.registry.v1").run_once()
    (event,) = publisher.published["vet.registry.v1"]
    schema = event_json_schemas(registry)[event.type]
    jsonschema.validate(event.model_dump(mode="json"), schema)
    raw = event.to_bytes().decode()
    assert id_number not in raw
    assert "林秀英" not in raw
    assert event.event_id == event_id_for("registry", event.source_position)


def test_the_contracts_vocabularies_are_the_registrys() -> None:
    """Consumers check target rules against vet_contracts' lists of categories and key-contact reasons."""
    from registry.domain import Category, KeyContactReason
    from vet_contracts.registry import CATEGORIES, KEY_CONTACT_REASONS

    assert list(CATEGORIES) == [c.value for c in Category]
    assert list(KEY_CONTACT_REASONS) == [r.value for r in KeyContactReason]


def test_the_request_vocabularies_are_outreachs() -> None:
    """Screens and reports name a request's category and satisfaction from vet_contracts' tables."""
    from outreach.domain.requests import RequestCategory, Satisfaction
    from vet_contracts.outreach import REQUEST_CATEGORY_NAMES, SATISFACTION_NAMES

    assert list(REQUEST_CATEGORY_NAMES) == [c.value for c in RequestCategory]
    assert list(SATISFACTION_NAMES) == [s.value for s in Satisfaction]


def test_the_assistance_vocabularies_are_assistances() -> None:
    """Screens name a fund's kind, an approval level and an application's status from vet_contracts' tables."""
    from typing import get_args

    from assistance.domain.applications import OPEN
    from assistance.rules import FundKind, Level
    from vet_contracts.assistance import APPLICATION_STATUS_NAMES, FUND_KIND_NAMES, LEVEL_NAMES

    assert list(FUND_KIND_NAMES) == [kind.value for kind in FundKind]
    assert list(LEVEL_NAMES) == list(get_args(Level))  # highest first, as the rules order approval levels
    closed = {"denied", "disbursed", "evaluated", "suspended"}
    assert set(APPLICATION_STATUS_NAMES) == OPEN | closed
