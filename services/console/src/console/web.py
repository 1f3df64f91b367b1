"""What every page shares: the session (token cookie), CSRF, the API clients, rendering with the layout."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar

import httpx
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from console import formatting
from console.clients import SERVICE_NAMES, Api, ApiRefused
from console.settings import ConsoleSettings
from vet_common.auth import AuthError, Principal, Role, decode_token
from vet_common.settings import Settings

SESSION_COOKIE = "vet_session"
CSRF_COOKIE = "vet_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
TOP = "__all__"  # a form's errors that name no input of it

ROLE_NAMES = {
    Role.station_staff: "服务站工作人员",
    Role.officer: "业务科室人员",
    Role.approver: "审批人员",
    Role.auditor: "审计人员",
    Role.admin: "系统管理员",
}

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
formatting.install(templates.env)


class NotSignedIn(Exception):
    """No session, or its token expired: the user signs in again (and comes back to `next`)."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "not signed in")
        self.expired = expired


class ConsoleRefused(Exception):
    """A page this user's role or region does not allow, answered as the API would (403 or 404), in Chinese."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class CsrfFailed(Exception):
    """A form without this browser's CSRF token: maybe sent from another site."""


@dataclass(frozen=True)
class Session:
    """The signed-in user: their token (sent on every API call) and what it says about them."""

    token: str
    principal: Principal
    http: httpx.AsyncClient
    settings: ConsoleSettings

    def api(self, service: str) -> Api:
        return Api(service, self.http, self.settings.service_url(service), self.token)

    def has_role(self, *roles: Role) -> bool:
        return self.principal.has_role(*roles)

    def require(self, *roles: Role) -> None:
        """403 as the API answers it, before a form the API would refuse anyway is even shown."""
        if not self.has_role(*roles):
            needed = "、".join(ROLE_NAMES[role] for role in roles)
            raise ConsoleRefused(403, f"您的账号没有此操作的权限，需要以下角色之一：{needed}")

    @property
    def role_names(self) -> str:
        return "、".join(ROLE_NAMES.get(role, str(role)) for role in sorted(self.principal.roles))


def console_settings(request: Request) -> ConsoleSettings:
    return request.app.state.console_settings  # type: ignore[no-any-return]


def platform_settings(request: Request) -> Settings:
    return request.app.state.platform_settings  # type: ignore[no-any-return]


def optional_session(request: Request) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        principal = decode_token(platform_settings(request), token)
    except AuthError:
        return None
    return Session(token, principal, request.app.state.http, console_settings(request))


async def current_session(request: Request) -> Session:
    session = optional_session(request)
    if session is None:
        raise NotSignedIn(expired=SESSION_COOKIE in request.cookies)
    request.state.session = session
    return session


CurrentSession = Annotated[Session, Depends(current_session)]


def csrf_token(request: Request) -> str:
    """This browser's token: from its cookie, or a new one the middleware sets on the response."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


async def checked_form(request: Request) -> FormData:
    """The submitted form, once its CSRF token (field or header) matches this browser's cookie."""
    form = await request.form()
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = str(form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or "")
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise CsrfFailed()
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def shown_version(form: FormData) -> int | None:
    """The record's version the form was shown at (sent as If-Match); None when the form carried none."""
    text = str(form.get("version") or "")
    return int(text) if text.isdigit() else None


class Guarded(Protocol):
    """A step of a record's loop as a form: who may take it."""

    @property
    def roles(self) -> tuple[Role, ...]: ...


StepT = TypeVar("StepT", bound=Guarded)


def allowed_step(steps: Mapping[str, StepT], name: str, session: Session) -> StepT:
    """The step a form posts to: 404 for one the loop does not have, 403 for one this user's role may not take."""
    step = steps.get(name)
    if step is None:
        raise ConsoleRefused(404, "没有这个办理步骤")
    session.require(*step.roles)
    return step


async def submitted(
    send: Callable[[], Awaitable[Any]],
    then: Callable[[Any], str],
    again: Callable[[dict[str, str], int], Awaitable[Response]],
    answers: tuple[int, ...],
    fields: Callable[[ApiRefused], dict[str, str]],
    stale: str = "",
) -> Response:
    """A form's POST: the API call, then on to the page `then` names (303, so a reload does not post again).
    A refusal the form answers itself (a status in `answers`) shows it again (`again`) with the API's words
    placed by `fields`, or `stale` at the top when the record moved on since it was shown (412); any other
    refusal goes to the error pages."""
    try:
        answer = await send()
    except ApiRefused as refusal:
        if refusal.status not in answers:
            raise
        errors = {TOP: stale} if stale and refusal.status == 412 else fields(refusal)
        return await again(errors, refusal.status)
    return RedirectResponse(then(answer), status_code=303)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    session: Session | None = getattr(request.state, "session", None) or optional_session(request)
    modules = getattr(request.app.state, "modules", [])
    nav = [item for module in modules for item in module.nav if session and item.allowed(session)]
    return templates.TemplateResponse(
        request,
        template,
        {
            "session": session,
            "nav": nav,
            "csrf": csrf_token(request),
            "csrf_field": CSRF_FIELD,
            "service_names": SERVICE_NAMES,
            "htmx": request.headers.get("HX-Request") == "true",
            **context,
        },
        status_code=status_code,
    )
