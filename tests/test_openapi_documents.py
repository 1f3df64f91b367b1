"""Each service's OpenAPI document declares what its operations answer: our error bodies, never FastAPI's
HTTPValidationError; 401 wherever a token is needed, 404 wherever the path names a record, 409 and 422 on every
POST; and a named schema for every JSON success, not a bare object. (tests/test_openapi_fuzz.py checks that the
services answer as declared.)"""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from vet_common.api import create_api
from vet_common.settings import Settings

SERVICES = ["registry", "outreach", "assistance", "reporting"]
PROBLEMS = {"Problem", "FieldProblems", "ConflictProblem", "StaleVersion"}


def document(name: str) -> dict[str, Any]:
    definition = importlib.import_module(f"{name}.service").definition
    return create_api(definition, Settings.for_service(name)).openapi()  # type: ignore[no-any-return]


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, ops in doc["paths"].items() for method, op in ops.items()]


def schema_name(response: dict[str, Any]) -> str | None:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    schema = schema.get("items", schema) if schema.get("type") == "array" else schema
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


@pytest.fixture(scope="module", params=SERVICES)
def doc(request: pytest.FixtureRequest) -> dict[str, Any]:
    return document(request.param)


def test_no_operation_declares_fastapis_validation_error(doc: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in json.dumps(doc)
    for method, path, op in operations(doc):
        if "422" in op["responses"]:
            assert schema_name(op["responses"]["422"]) == "FieldProblems", (method, path)


def test_every_refusal_has_one_of_our_bodies(doc: dict[str, Any]) -> None:
    for method, path, op in operations(doc):
        for code, response in op["responses"].items():
            if int(code) >= 400 and (method, path) != ("GET", "/readyz"):
                assert schema_name(response) in PROBLEMS, (method, path, code)


def test_what_every_operation_can_be_refused_for_is_declared(doc: dict[str, Any]) -> None:
    for method, path, op in operations(doc):
        declared = set(op["responses"])
        if op.get("security"):
            assert "401" in declared, (method, path)
        if "{" in path:
            assert "404" in declared, (method, path)
        if method == "POST":
            assert {"409", "422"} <= declared, (method, path)
            assert "Idempotency-Key" in [parameter["name"] for parameter in op["parameters"]], (method, path)


def test_every_json_success_has_a_named_schema(doc: dict[str, Any]) -> None:
    for method, path, op in operations(doc):
        for code, response in op["responses"].items():
            if code.startswith("2") and "application/json" in response.get("content", {}):
                assert schema_name(response), (method, path, code, response["content"])


def test_the_registry_declares_the_shapes_its_lists_return() -> None:
    doc = document("registry")
    schemas = doc["components"]["schemas"]
    assert set(schemas["ImportStatus"]["required"]) >= {"job_id", "status", "rejected_rows", "rejected_rows_xlsx"}
    assert schemas["AccessLogPage"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/AccessEntry"}
    listed = {
        path: schema_name(doc["paths"][path]["get"]["responses"]["200"])
        for path in ("/duplicates", "/alerts", "/access-log", "/imports/{job_id}")
    }
    assert listed == {
        "/duplicates": "DuplicateCaseOut",
        "/alerts": "AlertOut",
        "/access-log": "AccessLogPage",
        "/imports/{job_id}": "ImportStatus",
    }
    assert schema_name(doc["paths"]["/transfers"]["post"]["responses"]["201"]) == "TransferCreated"
    assert schema_name(doc["paths"]["/imports"]["post"]["responses"]["202"]) == "ImportStarted"
    rejected = doc["paths"]["/imports/{job_id}/rejected.xlsx"]["get"]["responses"]["200"]["content"]
    assert list(rejected) == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
