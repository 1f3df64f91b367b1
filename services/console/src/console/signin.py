"""Signing in and out: a development page that makes tokens as `vet token` does, or the department's OpenID
Connect provider (authorization-code flow) in production. The token lives in an HttpOnly, SameSite cookie."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.web import (
    ROLE_NAMES,
    SESSION_COOKIE,
    CheckedForm,
    ConsoleRefused,
    console_settings,
    platform_settings,
    render,
)
from vet_common.auth import Role, issue_token
from vet_common.regions import InvalidRegion, validate_jurisdiction
from vet_common.settings import Environment

router = APIRouter()
STATE_COOKIE = "vet_oidc_state"

# Who a developer can be at once: the demo's county, a township and its villages (vet demo's regions).
DEV_USERS = [
    ("station-gulou-1", "王站长", Role.station_staff, "350102001"),
    ("station-taijiang-1", "林站长", Role.station_staff, "350103001"),
    ("officer-gulou", "郑科长", Role.officer, "350102"),
    ("approver-gulou", "吴局长", Role.approver, "350102"),
    ("officer-fuzhou", "陈科长", Role.officer, "3501"),
    ("approver-fuzhou", "刘局长", Role.approver, "3501"),
    ("auditor-fujian", "黄审计", Role.auditor, "35"),
]


def safe_next(value: str | None) -> str:
    """Only a path on this console: never send the user to another site after signing in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def dev_sign_in_allowed(request: Request) -> bool:
    return platform_settings(request).env is not Environment.production


@router.get("/login")
async def login_page(request: Request, next: str = "/", expired: str = "") -> Response:
    return render(
        request,
        "login.html",
        expired=expired == "1",
        next=safe_next(next),
        dev=dev_sign_in_allowed(request),
        oidc=console_settings(request).oidc_configured,
        users=DEV_USERS,
        roles=ROLE_NAMES,
        errors={},
        values={},
    )


def set_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=platform_settings(request).jwt_ttl_seconds,
        httponly=True,
        samesite="lax",  # sent when following a link here, never with another site's form
        secure=request.app.state.secure_cookies,
        path="/",
    )


@router.post("/login/dev")
async def dev_login(request: Request, form: CheckedForm) -> Response:
    if not dev_sign_in_allowed(request):
        raise ConsoleRefused(404, "生产环境请通过统一身份认证登录")
    values = {key: str(form.get(key) or "").strip() for key in ("sub", "name", "role", "region", "next")}
    errors: dict[str, str] = {}
    if not values["sub"]:
        errors["sub"] = "请填写账号"
    if values["role"] not in Role.__members__:
        errors["role"] = "请选择角色"
    try:
        values["region"] = validate_jurisdiction(values["region"])
    except InvalidRegion as error:
        errors["region"] = str(error)
    if errors:
        return render(
            request,
            "login.html",
            422,
            next=safe_next(values["next"]),
            dev=True,
            oidc=console_settings(request).oidc_configured,
            users=DEV_USERS,
            roles=ROLE_NAMES,
            errors=errors,
            values=values,
        )
    token = issue_token(
        platform_settings(request),
        sub=values["sub"],
        name=values["name"] or values["sub"],
        roles=[values["role"]],
        region=values["region"],
    )
    response = RedirectResponse(safe_next(values["next"]), status_code=303)
    set_session(request, response, token)
    return response


async def provider_configuration(request: Request) -> dict[str, Any]:
    """The provider's endpoints, from its discovery document (issuer + /.well-known/openid-configuration)."""
    settings = console_settings(request)
    url = f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = await request.app.state.http.get(url)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError):
        raise ConsoleRefused(503, "统一身份认证服务暂时无法访问，请稍后重试") from None
    return document


def redirect_uri(request: Request) -> str:
    return console_settings(request).oidc_redirect_url or str(request.url_for("oidc_callback"))


@router.get("/login/oidc")
async def oidc_start(request: Request, next: str = "/") -> Response:
    settings = console_settings(request)
    if not settings.oidc_configured:
        raise ConsoleRefused(404, "未配置统一身份认证")
    provider = await provider_configuration(request)
    state = secrets.token_urlsafe(24)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "redirect_uri": redirect_uri(request),
            "scope": "openid profile",
            "state": state,
        }
    )
    response = RedirectResponse(f"{provider['authorization_endpoint']}?{query}", status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        f"{state}|{safe_next(next)}",
        max_age=600,
        httponly=True,
        samesite="lax",
        secure=request.app.state.secure_cookies,
        path="/login",
    )
    return response


@router.get("/login/callback", name="oidc_callback")
async def oidc_callback(request: Request, code: str = "", state: str = "") -> Response:
    """The provider sends the browser back with a code; the console exchanges it for the user's token."""
    settings = console_settings(request)
    expected, _, next_path = (request.cookies.get(STATE_COOKIE) or "").partition("|")
    if not code or not expected or not secrets.compare_digest(state.encode(), expected.encode()):
        raise ConsoleRefused(403, "登录请求已失效，请重新登录")
    provider = await provider_configuration(request)
    try:
        answer = await request.app.state.http.post(
            provider["token_endpoint"],
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(request)},
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
        )
        answer.raise_for_status()
        token = str(answer.json()["access_token"])
    except (httpx.HTTPError, ValueError, KeyError):
        raise ConsoleRefused(403, "统一身份认证未通过，请重新登录") from None
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_session(request, response, token)
    response.delete_cookie(STATE_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, form: CheckedForm) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
