"""What an operation answers when it refuses, declared once for every service's OpenAPI document.

The API answers every refusal in one of two shapes (see `vet_common.api`): `{"detail": "message", ...}` (401 from
the auth dependency, and NotFound, Conflict, Refused, PreconditionFailed of `vet_common.domain`), or for input that
cannot be right `{"detail": [{"field", "message"}]}` (request validation and Invalid). The models below describe them.

Which operation may answer what is declared in two ways:

- `describe_problems(app)`, which `create_api` calls, adds what follows from how a route is built, so that no route
  can forget it: 401 where the route needs a bearer token, 403 where it needs a role, 404 where its path has an id,
  412 where it takes If-Match, 422 wherever it takes input, and 409 and 422 on every POST (an Idempotency-Key used
  for another request or still running, a key too long; a record changed meanwhile), with the Idempotency-Key
  header that every POST takes (`vet_common.idempotency`). FastAPI's own 422
  (HTTPValidationError, `{loc, msg, type}`), which this API never answers, is replaced by FieldProblems.
- `problems(...)` in a router's or route's `responses=`, for what only the route's code knows: a jurisdiction the
  caller asked for that is not theirs (403), a command the record's state refuses (409), a file too large (413).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from vet_common.idempotency import MAX_KEY_LENGTH

__all__ = [
    "ConflictProblem",
    "FieldProblem",
    "FieldProblems",
    "Problem",
    "StaleVersion",
    "describe_problems",
    "problem",
    "problems",
]


class Problem(BaseModel):
    """A refusal, worded for the person at the screen: Chinese first, English in brackets."""

    detail: str


class FieldProblem(BaseModel):
    field: str = Field(description="The field (a dotted path), header or parameter it is about; `body` for the body")
    message: str


class FieldProblems(BaseModel):
    """Input that cannot be right: one message per field, worded for the person who filled in the form."""

    detail: list[FieldProblem]


class ConflictProblem(Problem):
    """The record's state does not allow this now; the body may say what to use instead (e.g. `existing_id`)."""

    model_config = ConfigDict(extra="allow")

    existing_id: str | None = Field(
        default=None, description="Registering a person whose ID number already has a record: that record's id"
    )


class StaleVersion(Problem):
    """The record changed since the caller loaded it (If-Match): nothing was recorded."""

    version: int = Field(description="The record's current version: reload it, then send this in If-Match")


MODELS: dict[int, type[BaseModel]] = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: ConflictProblem,
    412: StaleVersion,
    413: Problem,
    422: FieldProblems,
    503: Problem,
}
DESCRIPTIONS = {
    401: "No valid bearer token: missing, expired, or not signed by this platform",
    403: "Your role or jurisdiction does not allow this",
    404: "No such record, or not in your jurisdiction (the two look the same)",
    409: (
        "The record's state does not allow this now or it changed meanwhile; or this Idempotency-Key was used "
        "for another request or its request is still running"
    ),
    412: "If-Match names a version that is not the record's current one: nothing was recorded",
    413: "The upload is too large",
    422: "A value that cannot be right, with the field it is about",
    503: "A service this one needs is unavailable: try again later",
}


def problem(code: int, description: str | None = None) -> dict[int | str, dict[str, Any]]:
    """One refusal for `responses=`, with its body model and a description (the standard one if not given)."""
    return {code: {"model": MODELS[code], "description": description or DESCRIPTIONS[code]}}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Refusals for a router's or route's `responses=`, e.g. `problems(403, 409)`."""
    return {code: entry for each in codes for code, entry in problem(each).items()}


# What follows from how a route is built ------------------------------------------------------------------------


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def api_routes(routes: list[Any]) -> Iterator[Any]:
    """Every APIRoute as served, with its router's prefix and dependencies (FastAPI's included routers)."""
    for context in routing.iter_route_contexts(routes):
        if isinstance(context.original_route, APIRoute):
            yield context  # answers like the APIRoute it stands for: path_format, methods, dependant ...


def route_problems(route: Any, method: str, takes_input: bool) -> list[int]:
    """The refusals a route's dependencies, path and method imply."""
    from vet_common.api import if_match_version
    from vet_common.auth import current_principal, is_role_check

    calls = list(_calls(route.dependant))
    codes = []
    if current_principal in calls:
        codes.append(401)
    if any(is_role_check(call) for call in calls):
        codes.append(403)
    if route.dependant.path_params:
        codes.append(404)
    if method == "POST":
        codes.append(409)
    if if_match_version in calls:
        codes.append(412)
    if takes_input or method == "POST":
        codes.append(422)
    return codes


FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": (
        "Send the same key again with the same request and get the first answer (Idempotent-Replayed: true), "
        "never a second effect; another request with the key, or one while the first still runs, is 409"
    ),
}


def _reference(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}


def add_problems(document: dict[str, Any], routes: list[Any]) -> None:
    """Declare in `document` (FastAPI's, for `routes`) the refusals each operation can answer."""
    for route in api_routes(routes):
        if not route.include_in_schema:
            continue
        for method in route.methods:
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            if method == "POST":  # vet_common.idempotency answers every POST that sends one
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name", "").lower() == "idempotency-key" for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_KEY))
            responses = operation.setdefault("responses", {})
            takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
            for code in route_problems(route, method, takes_input):
                responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
            for code, response in responses.items():
                model = MODELS.get(int(code)) if code.isdigit() and int(code) >= 400 else None
                schema_ref = json.dumps(response.get("content", {}))
                if model is not None and ("content" not in response or "HTTPValidationError" in schema_ref):
                    response["content"] = _reference(model)
                    if response.get("description") == "Validation Error":  # FastAPI's wording for its own 422
                        response["description"] = DESCRIPTIONS[int(code)]
            operation["responses"] = dict(sorted(responses.items()))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _, definitions = models_json_schema(
        [(model, "serialization") for model in dict.fromkeys(MODELS.values())],
        ref_template="#/components/schemas/{model}",
    )
    for name, schema in definitions.get("$defs", {}).items():
        schemas.setdefault(name, schema)
    if "#/components/schemas/HTTPValidationError" not in json.dumps(document["paths"]):
        for name in FASTAPI_VALIDATION_SCHEMAS:
            schemas.pop(name, None)


def describe_problems(app: FastAPI) -> None:
    """Make `app.openapi()` declare every operation's refusals (see the module's docstring)."""
    generate = app.openapi
    described: list[int] = []  # the id of the document last described (FastAPI makes it again if routes change)

    def openapi() -> dict[str, Any]:
        document = generate()
        if described != [id(document)]:
            add_problems(document, app.routes)
            described[:] = [id(document)]
        return document

    app.openapi = openapi  # type: ignore[method-assign]
