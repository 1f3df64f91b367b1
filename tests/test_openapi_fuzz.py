"""schemathesis against each service's own OpenAPI document: nothing a caller can send is a 500, and every answer
is one the document declares (its status code, content type and body).

Each service runs in-process (its ASGI app, lifespan included) on a SQLite event store in a temporary directory
and read models on the `mongo_url` server, seeded with a few records so that lists have items and path ids can
name something real. Calls carry a valid token of an admin (every role check admits one) with a jurisdiction that
reaches the seeded records; schemathesis also sends cases without it, and malformed values of every parameter.

Generation is deterministic (a fixed seed, derandomized) and bounded: MAX_EXAMPLES fuzzed cases per operation,
besides the schema's examples and the boundary cases of schemathesis's coverage phase. For a deeper run by hand:
VET_FUZZ_EXAMPLES=500 uv run --frozen pytest tests/test_openapi_fuzz.py

Left out, because it cannot work in-process: GET /readyz, which reports the Kafka broker; without one its honest
answer is 503 (EXCLUDED below).

The schemas are loaded from each app's document at import (`schema.parametrize()`, one test per operation), and the
calls go to the app started by a module fixture: schemathesis's fixture-based loader
(`schemathesis.pytest.from_fixture`) does not run under pytest 9.2 (it sets `Function._nodeid`, which is gone).
"""

from __future__ import annotations

import asyncio
import csv
import importlib
import io
import itertools
import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import hypothesis.strategies as st
import pytest
import schemathesis
from pymongo import AsyncMongoClient
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vet_common.api import create_api
from vet_common.auth import issue_token
from vet_common.idempotency import MAX_KEY_LENGTH
from vet_common.idnumber import make_id_number
from vet_common.projector import Projector
from vet_common.service import ServiceDefinition
from vet_common.settings import Settings

pytestmark = pytest.mark.integration  # read models on the MongoDB-wire server

MAX_EXAMPLES = int(os.environ.get("VET_FUZZ_EXAMPLES", "25"))  # more for a deeper run by hand
SEED = 20260801
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXCLUDED = ["GET /readyz"]  # reports the Kafka broker: 503 without one

COUNTY = "350102"
TOWNSHIP = "350102001"
VILLAGE = "350102001001"
OTHER_VILLAGE = "350102001002"


def fuzz_config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
        }
    )


def schema_of(name: str) -> Any:
    """The service's document as the app serves it (made without starting the app), with our hooks."""
    definition = importlib.import_module(f"{name}.service").definition
    document = create_api(definition, Settings.for_service(name)).openapi()
    loaded = schemathesis.openapi.from_dict(document, config=fuzz_config()).exclude(name=EXCLUDED)

    def naming_seeded_records(context: Any, parameters: Any) -> Any:
        """Half the cases name seeded records (in the path, the query or a JSON body), to get past the 404s."""
        generated = st.just(parameters)
        if not isinstance(parameters, dict):  # none, or a body that is not an object (negative cases)
            return generated
        known = {key: ids for key, ids in KNOWN.get(name, {}).items() if key in parameters}
        if not known:
            return generated
        seeded = st.fixed_dictionaries({key: st.sampled_from(ids) for key, ids in known.items()})
        return st.one_of(generated, seeded.map(lambda ids: {**parameters, **ids}))

    for hook in ("flatmap_path_parameters", "flatmap_query", "flatmap_body"):
        loaded.hook(hook)(naming_seeded_records)

    return loaded


KNOWN: dict[str, dict[str, list[str]]] = {}  # service -> parameter or field -> ids of seeded records
KEYS = itertools.count()  # makes each generated Idempotency-Key unique


def unique_idempotency_key(case: Any) -> None:
    """A generated Idempotency-Key is made unique: cases sharing one key (the coverage phase sends the longest
    allowed, 200 zeros, every time) would all be the 409 of a key used for another request, and test nothing
    else. A key too long stays so (a 422)."""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and len(key) <= MAX_KEY_LENGTH:
        tag = f"{next(KEYS):08d}"
        case.headers["Idempotency-Key"] = key[: MAX_KEY_LENGTH - len(tag)] + tag


class Service:
    """One service's app, running in schemathesis's in-process ASGI client (lifespan included)."""

    def __init__(self, name: str, settings: Settings, mongo_url: str, region: str) -> None:
        self.name = name
        self.definition: ServiceDefinition = importlib.import_module(f"{name}.service").definition
        self.settings = settings
        self.mongo_url = mongo_url
        self.token = issue_token(settings, sub="fuzz-admin", name="测试", roles=["admin"], region=region)
        self.app = create_api(self.definition, settings)
        self.client = asgi.get_client(self.app).__enter__()  # starts the app: its lifespan runs until the end

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json() if "json" in response.headers.get("content-type", "") else None

    @property
    def application(self) -> Any:
        return self.app.state.application

    def with_read_models(self, work: Callable[[Any], Any]) -> Any:
        async def run() -> Any:
            client: AsyncMongoClient[Any] = AsyncMongoClient(self.mongo_url, tz_aware=True)
            try:
                return await work(client[self.settings.read_model_db_name])
            finally:
                await client.close()

        return asyncio.run(run())

    def project(self) -> None:
        async def catch_up(db: Any) -> None:
            projection = self.definition.projection_factory(self.application)
            await projection.setup(db)
            projector = Projector(self.application, db, projection)
            while await projector.run_once():
                pass

        self.with_read_models(catch_up)

    def check(self, case: Any) -> None:
        unique_idempotency_key(case)
        case.call_and_validate(session=self.client, base_url="http://testserver", headers=self.headers, checks=CHECKS)

    def drop(self) -> None:
        async def drop(db: Any) -> None:
            await db.client.drop_database(self.settings.read_model_db_name)
            await db.client.drop_database(f"{self.settings.read_model_db_name}_files")

        self.with_read_models(drop)


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory, mongo_url: str) -> Iterator[Callable[[str, str], Service]]:
    """Start a service's app; every app started is stopped (its lifespan ended) when the module ends."""
    services: list[Service] = []

    def start(name: str, region: str) -> Service:
        settings = Settings.for_service(
            name,
            data_dir=Path(tmp_path_factory.mktemp(name)),
            mongo_url=mongo_url,
            read_model_db=f"fuzz_{name}_{uuid4().hex[:8]}",
        )
        services.append(Service(name, settings, mongo_url, region))
        return services[-1]

    try:
        yield start
    finally:
        for service in services:
            service.client.__exit__(None, None, None)
        asgi.shutdown_lifespans()
        for service in services:
            service.drop()
            KNOWN.pop(service.name, None)


# Registry -----------------------------------------------------------------------------------------------------


def seed_registry(registry: Service) -> None:
    from registry.importing import run_import
    from registry.jobs import flag_duplicates
    from vet_common.follower import LogFollower

    today = date.today()
    sequence = iter(range(100, 999))

    def person(name: str, birth: date, **extra: Any) -> str:
        body = {
            "id_number": make_id_number(COUNTY, birth, next(sequence), "male"),
            "name": name,
            "region": VILLAGE,
            "categories": ["discharged_soldier"],
            **extra,
        }
        return str(registry.call("POST", "/persons", json=body)["id"])

    people = [person("张三", date(1960, 8, 1)), person("李四", date(1958, 2, 14), phone="13812345678")]
    twins = [person("王五", date(1970, 3, 3)), person("王五", date(1970, 3, 3))]  # a possible duplicate
    turning_60 = today.replace(year=today.year - 60) + timedelta(days=30)
    people.append(person("赵六", turning_60, household="rural"))
    registry.call(
        "GET", f"/persons/{people[1]}", params={"reveal": "id_number,phone"}, headers={"X-Purpose": "checking"}
    )
    transfer = registry.call(
        "POST", "/transfers", json={"person_id": people[0], "to_region": OTHER_VILLAGE, "reason": "搬迁"}
    )
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["姓名", "公民身份号码", "行政区划代码", "人员类别"])
    writer.writerow(["孙七", make_id_number(COUNTY, date(1966, 1, 5), next(sequence), "male"), VILLAGE, "退役士兵"])
    writer.writerow(["周八", "350102196601051234", VILLAGE, "退役士兵"])  # a bad check digit: rejected
    content = rows.getvalue().encode()
    job = registry.call("POST", "/imports", files={"file": ("台账.csv", content, "text/csv")})
    run_import(registry.application, UUID(job["job_id"]), content)
    registry.project()

    async def scan_for_duplicates(db: Any) -> None:
        consumer = flag_duplicates(registry.application, db, registry.settings)
        follower = LogFollower(registry.application)
        while await follower.run_once(consumer):
            pass

    registry.with_read_models(scan_for_duplicates)
    registry.call("POST", "/alerts/run")
    registry.project()
    cases = registry.call("GET", "/duplicates")
    assert cases, "the two 王五 should be a possible duplicate"
    assert registry.call("GET", "/alerts"), "赵六 turns 60 within 90 days"
    KNOWN["registry"] = {
        "person_id": people + twins,
        "veteran_id": people,
        "keep_id": twins,
        "transfer_id": [transfer["id"]],
        "job_id": [job["job_id"]],
        "case_id": [case["id"] for case in cases],
    }


@pytest.fixture(scope="module")
def registry_service(started: Callable[[str, str], Service]) -> Service:
    service = started("registry", TOWNSHIP)
    seed_registry(service)
    return service


registry = schema_of("registry")


@registry.parametrize()
def test_registry(case: Any, registry_service: Service) -> None:
    registry_service.check(case)


# Assistance, reporting, outreach ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assistance_service(started: Callable[[str, str], Service]) -> Service:
    service = started("assistance", COUNTY)
    rules = {"amount": {"kind": "fixed", "amount_fen": 1}}
    body = {
        "name": "解三难资金",
        "kind": "hardship_aid",
        "region": COUNTY,
        "year": date.today().year,
        "budget_fen": 1,
        "rules": rules,
    }
    fund = service.call("POST", "/funds", json=body)
    KNOWN["assistance"] = {"fund_id": [fund["id"]]}
    return service


assistance = schema_of("assistance")


@assistance.parametrize()
def test_assistance(case: Any, assistance_service: Service) -> None:
    assistance_service.check(case)


@pytest.fixture(scope="module")
def reporting_service(started: Callable[[str, str], Service]) -> Service:
    from datetime import UTC, datetime

    from vet_contracts import Actor, IntegrationEvent

    service = started("reporting", COUNTY)
    person_id = str(uuid4())
    for position, type_ in enumerate(["PersonRegistered", "PersonUpdated"], start=1):
        event = IntegrationEvent.build(
            type=type_,
            source="registry",
            source_position=position,
            aggregate_id=person_id,
            aggregate_version=position,
            occurred_at=datetime(2026, 8, 1, tzinfo=UTC),
            actor=Actor(sub="staff-1", role="station_staff"),
            region=VILLAGE,
            data={"person_id": person_id},
        )
        service.application.archive(event)
    service.project()
    assert service.call("GET", "/audit/events", params={"aggregate_id": person_id})["chain_intact"]
    KNOWN["reporting"] = {"aggregate_id": [person_id]}
    return service


reporting = schema_of("reporting")


@reporting.parametrize()
def test_reporting(case: Any, reporting_service: Service) -> None:
    reporting_service.check(case)


@pytest.fixture(scope="module")
def outreach_service(started: Callable[[str, str], Service]) -> Service:
    from vet_common.people import people_replica
    from vet_devtools.testing.people import RegistryFeed

    service = started("outreach", TOWNSHIP)
    feed, people = RegistryFeed(), [str(uuid4()), str(uuid4())]
    for person_id in people:  # what outreach's worker learns from the registry's topic
        people_replica.process(service.application, feed.registered(person_id, VILLAGE))
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    visit = service.call("POST", "/contacts", json={"person_id": people[0], "method": "home_visit", "date": yesterday})
    soon = [(date.today() + timedelta(days=days)).isoformat() for days in (7, 14, 15)]
    drive = {
        "name": "八一走访",
        "occasion": "八一",
        "region": TOWNSHIP,
        "targets": {"groups": [{"code": "unemployed", "key_contact_reasons": ["unemployed"]}]},
        "deadlines": dict(zip(("plan", "visits", "report"), soon, strict=True)),
    }
    campaign = service.call("POST", "/campaigns", json=drive)
    request = service.call(
        "POST", "/requests", json={"person_id": people[0], "category": "medical", "grade": "urgent", "summary": "住院"}
    )
    KNOWN["outreach"] = {
        "visit_id": [visit["id"]],
        "contact_id": [visit["id"]],
        "person_id": people,
        "request_id": [request["id"]],
        "campaign_id": [campaign["id"]],
    }
    return service


outreach = schema_of("outreach")


@outreach.parametrize()
def test_outreach(case: Any, outreach_service: Service) -> None:
    outreach_service.check(case)
