"""The OpenAPI document declares each operation's refusals, from how its route is built, on a tiny app."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from vet_common.api import IfMatch
from vet_common.auth import CurrentPrincipal, Role, require_roles
from vet_common.openapi import describe_problems, problem, problems

router = APIRouter()


class Note(BaseModel):
    text: str


@router.get("/open")
async def open_route() -> dict[str, str]:
    return {}


@router.get("/things/{thing_id}")
async def read(thing_id: int, principal: CurrentPrincipal) -> dict[str, str]:
    return {}


@router.post("/things/{thing_id}/notes", dependencies=[Depends(require_roles(Role.officer))])
async def change(thing_id: int, body: Note, principal: CurrentPrincipal, version: IfMatch) -> dict[str, str]:
    return {}


@router.get("/stats", responses={**problem(403, "Outside your jurisdiction"), **problems(404)})
async def stats(principal: CurrentPrincipal, region: str | None = None) -> dict[str, str]:
    return {}


def document() -> dict[str, Any]:
    app = FastAPI()
    app.include_router(router)
    describe_problems(app)
    return app.openapi()


def codes(doc: dict[str, Any], path: str, method: str = "get") -> list[str]:
    return list(doc["paths"][path][method]["responses"])


def test_each_operation_declares_what_its_dependencies_path_and_method_can_refuse() -> None:
    doc = document()
    assert codes(doc, "/open") == ["200"]
    assert codes(doc, "/things/{thing_id}") == ["200", "401", "404", "422"]
    assert codes(doc, "/things/{thing_id}/notes", "post") == ["200", "401", "403", "404", "409", "412", "422"]
    assert codes(doc, "/stats") == ["200", "401", "403", "404", "422"]


def test_a_route_says_why_it_refuses_and_the_bodies_are_ours() -> None:
    doc = document()
    stats = doc["paths"]["/stats"]["get"]["responses"]
    assert stats["403"]["description"] == "Outside your jurisdiction"
    notes = doc["paths"]["/things/{thing_id}/notes"]["post"]["responses"]
    schema_of = {
        code: response["content"]["application/json"]["schema"].get("$ref") for code, response in notes.items()
    }
    assert schema_of == {
        "200": None,
        "401": "#/components/schemas/Problem",
        "403": "#/components/schemas/Problem",
        "404": "#/components/schemas/Problem",
        "409": "#/components/schemas/ConflictProblem",
        "412": "#/components/schemas/StaleVersion",
        "422": "#/components/schemas/FieldProblems",
    }
    schemas = doc["components"]["schemas"]
    assert schemas["FieldProblems"]["properties"]["detail"]["items"] == {"$ref": "#/components/schemas/FieldProblem"}
    assert schemas["StaleVersion"]["required"] == ["detail", "version"]
    # FastAPI's own 422 body ({loc, msg, type}), which the API never answers, is gone.
    assert "HTTPValidationError" not in json.dumps(doc)
    assert "ValidationError" not in schemas


def test_every_post_takes_an_idempotency_key() -> None:
    doc = document()
    assert [p["name"] for p in doc["paths"]["/things/{thing_id}/notes"]["post"]["parameters"]] == [
        "thing_id",
        "If-Match",
        "Idempotency-Key",
    ]
    assert "Idempotency-Key" not in json.dumps(doc["paths"]["/things/{thing_id}"])


def test_the_document_is_described_once_and_again_when_routes_change() -> None:
    app = FastAPI()
    app.include_router(router)
    describe_problems(app)
    first = app.openapi()
    assert app.openapi() is first

    @app.get("/later/{item_id}")
    async def later(item_id: int) -> dict[str, str]:
        return {}

    assert codes(app.openapi(), "/later/{item_id}") == ["200", "404", "422"]
