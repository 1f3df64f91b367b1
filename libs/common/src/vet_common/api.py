"""The HTTP side of a service: FastAPI app with health, readiness, metrics and readable errors."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from eventsourcing.persistence import IntegrityError
from fastapi import Depends, FastAPI, Header, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pymongo.asynchronous.database import AsyncDatabase
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vet_common.domain import Actor, Clock, DomainError, Invalid
from vet_common.eventstore import ServiceApplication
from vet_common.idempotency import IdempotencyMiddleware
from vet_common.logs import install_redaction
from vet_common.openapi import describe_problems
from vet_common.service import ServiceDefinition, mongo_client, read_model_db
from vet_common.settings import Settings

log = logging.getLogger(__name__)

# Threads for event-store work (asyncio.to_thread) with PostgreSQL. A command waits in its thread for the group
# commit, and a group's commit there takes several round trips: asyncio's default (cores + 4, 6 here) capped a
# group at 6 commands and the rate at half (bench/api_bench.py). With SQLite the commit is short, and the
# default's fewer threads competing for the GIL gave the better p99.
POSTGRES_API_THREADS = 32

requests_total = Counter("vet_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
request_seconds = Histogram("vet_http_request_seconds", "HTTP request latency", ["service", "route"])


async def tcp_reachable(hostport: str, wait_seconds: float = 1.0) -> bool:
    host, _, port = hostport.split(",")[0].rpartition(":")
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), wait_seconds)
    except (OSError, TimeoutError, ValueError):
        return False
    writer.close()
    return True


async def readiness(settings: Settings, app: ServiceApplication, db: AsyncDatabase[Any]) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        await asyncio.to_thread(app.process_recorder.max_notification_id)
        checks["event_store"] = "ok"
    except Exception as error:
        checks["event_store"] = f"unavailable: {error}"
    checks["read_models"] = await ping_read_models(db)
    checks["broker"] = "ok" if await tcp_reachable(settings.kafka_bootstrap) else "unreachable"
    return checks


async def ping_read_models(db: AsyncDatabase[Any], attempts: int = 2) -> str:
    """ "ok", or why not. A server may close a pooled connection that sat idle (SecantusDB does after a few
    minutes): the first ping then fails on that dead connection, which pymongo drops, and the next one tells
    the truth. Only a server that fails every attempt is unavailable."""
    error: Exception | None = None
    for _ in range(attempts):
        try:
            await asyncio.wait_for(db.command("ping"), 2)
            return "ok"
        except Exception as failure:
            error = failure
    return f"unavailable: {error}"


# Pydantic's English for the common mistakes, reworded for a station worker (Chinese first).
FRIENDLY_MESSAGES = {
    "missing": "必填项，请填写 (required)",
    "string_too_short": "不能为空 (must not be empty)",
    "string_too_long": "内容过长，请精简 (too long: at most {max_length} characters)",
    "too_short": "至少填写 {min_length} 项 (at least {min_length} item(s) needed)",
    "uuid_parsing": "编号格式不正确 (not a valid record id)",
    "date_from_datetime_parsing": "日期格式应为 年-月-日，如 2026-08-01 (date must look like 2026-08-01)",
    "date_parsing": "日期格式应为 年-月-日，如 2026-08-01 (date must look like 2026-08-01)",
    "int_parsing": "应填写整数 (must be a whole number)",
    "greater_than_equal": "不能小于 {ge} (must be at least {ge})",
    "less_than_equal": "不能大于 {le} (must be at most {le})",
    "enum": "取值无效，可选值：{expected} (must be one of: {expected})",
    "literal_error": "取值无效，可选值：{expected} (must be one of: {expected})",
    "json_invalid": "请求内容不是有效的 JSON (the request body is not valid JSON)",
}


def unreadable_body(error: StarletteHTTPException) -> dict[str, Any] | None:
    """The 422 body for FastAPI's and Starlette's 400 for a body they could not read at all (not UTF-8, a broken
    multipart form), as for a body that is not JSON; None for any other HTTPException."""
    cause = error.__cause__ or error.__context__
    if error.status_code != 400:
        return None
    if isinstance(cause, MultiPartException):
        reason = cause.message
    elif error.detail == "There was an error parsing the body":  # FastAPI's words
        reason = "not UTF-8 JSON" if isinstance(cause, UnicodeDecodeError) else str(error.detail)
    else:
        return None
    message = (
        "请求内容无法解析，请发送 UTF-8 编码的 JSON，上传文件请用 multipart/form-data "
        f"(the request body could not be read: {reason.rstrip('.')}; send UTF-8 JSON, or multipart/form-data "
        "for an upload)"
    )
    return {"detail": [{"field": "body", "message": message}]}


def readable_validation_errors(error: RequestValidationError) -> list[dict[str, str]]:
    """One message per field, worded for the person who filled in the form."""
    items = []
    for problem in error.errors():
        location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path")]
        if problem.get("type") == "json_invalid":
            location = []  # its location is a character offset: the problem is the body's
        template = FRIENDLY_MESSAGES.get(problem.get("type", ""))
        try:
            message = template.format(**problem.get("ctx", {})) if template else None
        except (KeyError, IndexError):
            message = None
        if message is None:
            message = str(problem.get("msg", "invalid value")).removeprefix("Value error, ")
        items.append({"field": ".".join(location) or "body", "message": message})
    return items


class Health(BaseModel):
    status: Literal["ok"]
    service: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str] = Field(description='Each dependency: "ok", or what is wrong with it')


def add_common_routes(app: FastAPI, service: str) -> None:
    @app.get("/healthz", tags=["health"], response_model=Health)
    async def healthz() -> Health:
        return Health(status="ok", service=service)

    @app.get(
        "/readyz",
        tags=["health"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "Not ready: a check is not ok"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        state = request.app.state
        checks = await readiness(state.settings, state.application, state.db)
        # Checks of what runs in this process, e.g. the worker's relay ("stopped at notification ...").
        checks.update({name: check() for name, check in getattr(state, "checks", {}).items()})
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)


def add_docs_routes(app: FastAPI) -> None:
    """/docs with Swagger UI's files from the swagger-ui-bundle package, not from a CDN."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Any:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


class AsyncApiDocument(BaseModel):
    """An AsyncAPI 3 document (https://www.asyncapi.com/docs/reference/specification/v3.0.0)."""

    model_config = ConfigDict(extra="allow")

    asyncapi: str = Field(description="The AsyncAPI version, 3.0.0")
    info: dict[str, Any]
    channels: dict[str, Any]
    operations: dict[str, Any]


class EventSchemas(BaseModel):
    envelope: dict[str, Any] = Field(description="JSON Schema of the envelope every event travels in")
    events: dict[str, dict[str, Any]] = Field(description="JSON Schema of each event type's data, by type")


def add_contract_routes(app: FastAPI, definition: ServiceDefinition, settings: Settings) -> None:
    from vet_common.asyncapi import asyncapi_document, event_json_schemas
    from vet_common.auth import current_principal
    from vet_contracts import envelope_json_schema

    @app.get(
        "/contract/asyncapi.json",
        tags=["contract"],
        dependencies=[Depends(current_principal)],
        response_model=AsyncApiDocument,
        response_model_exclude_unset=True,
    )
    async def asyncapi() -> dict[str, Any]:
        """The AsyncAPI document of the events this service publishes and consumes."""
        return asyncapi_document(definition, settings)

    @app.get("/contract/schemas", tags=["contract"], dependencies=[Depends(current_principal)])
    async def schemas() -> EventSchemas:
        """JSON Schema of the envelope and of each event type this service publishes."""
        return EventSchemas(envelope=envelope_json_schema(), events=event_json_schemas(definition))


def refusal_response(error: DomainError) -> JSONResponse:
    """One shape for every refusal: a message, or for a bad value the field and its message (like 422s)."""
    if isinstance(error, Invalid):
        body: dict[str, Any] = {"detail": [{"field": error.field, "message": error.message}]}
    else:
        body = {"detail": error.message}
    return JSONResponse({**body, **error.extra}, status_code=error.status_code)


class MeasureRequests:
    """Request counts and latency per route, as plain ASGI (Starlette's BaseHTTPMiddleware costs a task per call)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            requests_total.labels(self.service, scope["method"], route, status_code).inc()
            request_seconds.labels(self.service, route).observe(time.perf_counter() - started)


def create_api(definition: ServiceDefinition, settings: Settings, clock: Clock | None = None) -> FastAPI:
    """The service's FastAPI app. `clock` fixes "now" for the application and the routes (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_redaction()  # after the server set up its own loggers: no ID number in an access log line
        if settings.uses_postgres:
            asyncio.get_running_loop().set_default_executor(
                ThreadPoolExecutor(max_workers=POSTGRES_API_THREADS, thread_name_prefix=f"{definition.name}-api")
            )
        client = mongo_client(settings)
        app.state.settings = settings
        app.state.application = await asyncio.to_thread(definition.application_class, settings)
        if clock is not None:
            app.state.application.clock = clock
        app.state.clock = app.state.application.clock
        app.state.db = read_model_db(client, settings)
        try:
            yield
        finally:
            await client.close()

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        lifespan=lifespan,
        docs_url=None,  # served below from the service's own files: government networks reach no CDN
        redoc_url=None,
    )
    add_docs_routes(app)
    add_common_routes(app, definition.name)
    for router in definition.routers:
        app.include_router(router)
    add_contract_routes(app, definition, settings)
    describe_problems(app)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": readable_validation_errors(error)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, error: StarletteHTTPException) -> Response:
        if (body := unreadable_body(error)) is not None:
            return JSONResponse(body, status_code=422)
        return await http_exception_handler(request, error)

    @app.exception_handler(IntegrityError)
    async def on_conflict(_: Request, error: IntegrityError) -> JSONResponse:
        return JSONResponse(
            {"detail": "该记录刚被他人修改，请刷新后重试 (the record changed meanwhile; reload and retry)"},
            status_code=409,
        )

    @app.exception_handler(DomainError)
    async def on_refusal(_: Request, error: DomainError) -> JSONResponse:
        return refusal_response(error)

    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(MeasureRequests, service=definition.name)
    return app


# The dependencies below are async only so FastAPI calls them in place: a plain `def` dependency costs a
# trip to the thread pool on every request.


async def get_application(request: Request) -> ServiceApplication:
    return request.app.state.application  # type: ignore[no-any-return]


async def get_db(request: Request) -> AsyncDatabase[Any]:
    return request.app.state.db  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


ReadModels = Annotated[AsyncDatabase[Any], Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]


async def get_clock(request: Request) -> Clock:
    return request.app.state.clock  # type: ignore[no-any-return]


AppClock = Annotated[Clock, Depends(get_clock)]


async def if_match_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match", description='The record\'s version as last seen (its ETag, e.g. "3"): 412 if it moved on'
        ),
    ] = None,
) -> int | None:
    """The version a change expects, from If-Match; None when the caller did not say (or said *)."""
    if if_match is None or if_match.strip() in ("", "*"):
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise Invalid(
            "If-Match", 'If-Match 应为档案的版本号，如 "3" (If-Match must be the record\'s version, e.g. "3")'
        )
    return int(text)


IfMatch = Annotated[int | None, Depends(if_match_version)]


def _storable_time(value: datetime) -> datetime:
    if value.tzinfo is not None:
        try:
            value.astimezone(UTC)  # what the read models' driver does with it
        except OverflowError:
            raise ValueError(
                "时间超出可查询范围 (time out of range: it must fall within the years 1 to 9999 in UTC)"
            ) from None
    return value


# A time to compare read-model documents with: one whose UTC time exists (0001-01-01T00:00+01:00 does not).
StorableTime = Annotated[datetime, AfterValidator(_storable_time)]


def actor_of(principal: Any) -> Actor:
    """Who acted, as recorded in events: the token's subject and its roles."""
    return Actor(sub=principal.sub, role=",".join(sorted(str(role) for role in principal.roles)))
